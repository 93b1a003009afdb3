// Package awskms is the AWS KMS adapter of multikms: a kms.Lister over the
// official aws-sdk-go-v2 KMS client (github.com/aws/aws-sdk-go-v2/service/kms).
//
//	l := awskms.New(kmssdk.NewFromConfig(cfg))           // your client
//	l, err := awskms.NewFromConfig(ctx, awskms.WithRegion("eu-west-1"))
//	l, err := kms.Open(ctx, "awskms://?region=eu-west-1&profile=prod")
//	defer l.Close()
//
// Tests of your own code can run against providers/awskms/awskmstest, a
// wire-compatible AWS KMS server reached through the real SDK client.
//
// # Adapter convention
//
// The three adapters (awskms, alibabakms, yandexkms) configure, open,
// close, describe, check and fail the same way:
//
//	| convention          | awskms                                                                       |
//	|---------------------|------------------------------------------------------------------------------|
//	| New                 | New(client *kms.Client, opts ...Option) *Lister; a bad option fails every    |
//	|                     | call, before any request                                                     |
//	| NewFromConfig       | NewFromConfig(ctx, opts...) (*Lister, error): the default credential chain;  |
//	|                     | WithRegion, WithProfile, WithEndpoint; nil Lister on error                   |
//	| Close               | closes the idle connections of the client NewFromConfig (Open) built; a      |
//	|                     | Lister over your client (New) closes nothing                                 |
//	| WithRateLimit       | (perSecond, burst): caps every operation's pace; one operation:              |
//	|                     | WithOperationRateLimit(op, perSecond, burst); default DefaultQuotas          |
//	| WithConcurrency     | (n): per-key requests in flight, 1..1024; default 64                         |
//	| WithPrefetch        | (n): pages fetched ahead of the caller, 0..64; 0 none; default 1             |
//	| WithRetry           | (pagination.Retry): every request; default 5 attempts, jittered              |
//	| WithObserver        | (pagination.Observer): every request, retry wait, pace change                |
//	| URL parameters      | region, endpoint (full URL), profile, rate; discovery: region=* or a list,   |
//	|                     | role_arn, external_id, session_name, organization, member_role (NewFleet,    |
//	|                     | FleetURLParams)                                                              |
//	| DescribeKey content | DetailFull: DescribeKey's metadata and the key's aliases (ListAliases with   |
//	|                     | KeyId); kms.Describe adds what Include asks for                              |
//	| key references      | key ID (UUID, mrk-), key ARN, alias/<name>, alias ARN; checked before any    |
//	|                     | request; an ARN of another cloud refused                                     |
//	| credentials errors  | none in the chain, expired or refused: kms.ErrUnauthenticated                |
//
// Numeric options are range-checked (finite, positive, sane maxima) and a
// bad value is refused naming the option and its range.
//
// # URLs
//
// kms.Open understands, once this package is imported:
//
//	awskms://?region=eu-west-1
//	awskms://?region=eu-west-1&profile=audit&rate=50
//	awskms://?region=us-east-1&endpoint=https%3A%2F%2Fvpce-0123.kms.us-east-1.vpce.amazonaws.com
//	awskms://?region=us-east-1&endpoint=http%3A%2F%2F127.0.0.1%3A4566   (a local test server)
//	awskms://?region=*                                   every Region enabled for the account (a Fleet)
//	awskms://?organization=*&region=*                    every ACTIVE account of the organization x its Regions
//	                                                     (the caller's own with its credentials, the others through member_role)
//	awskms://?region=eu-west-1,us-east-1&role_arn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Faudit&external_id=x
//
// A region of "*" or a list, or any of role_arn, external_id, session_name,
// organization and member_role, opens a Fleet (NewFleet; see Fleet for the
// scopes, their failures and the cursor rule, and FleetURLParams).
//
// # Scope discovery
//
// NewFleet (and kms.Open of the URLs above) finds the scopes once, in 3
// round trips for an organization of up to 20 accounts (one ListAccounts
// page; one more with role_arn, whose AssumeRole comes first):
// ListAccounts with sts:GetCallerIdentity beside it
// (the caller's own account: the management account's, or a delegated
// administrator's, or, with role_arn, the role's); then, for every account
// at once, AssumeRole of the member role (not for the caller's own
// account, which is reached with the caller's credentials, as
// Organizations creates OrganizationAccountAccessRole in member accounts
// only) and ListRegions. See NewFleet for what fails the fleet and what
// fails one scope.
//
// Parameters, each at most once and never empty:
//
//   - region: the AWS Region; required unless AWS_REGION or the profile gives one.
//   - endpoint: a full URL, https://host[:port]; http:// only for a loopback
//     or private host (the public endpoints are always TLS).
//   - profile: a profile of the shared config and credentials files.
//   - rate: requests a second, a finite number in (0, 1e6]; caps every
//     operation's pace (WithRateLimit).
//
// Credentials never go in the URL: they come from the default chain. An
// unknown, repeated or empty parameter, user info, a host or path, and a
// missing Region are refused with kms.ErrInvalidArgument naming them, their
// values never quoted, before any request; the Lister is then nil.
//
// # Calls
//
// ListKeys pages ListKeys (Limit 1..1000, Marker) through pagination.ByMarker.
// DetailFull describes every key with DescribeKey, WithConcurrency at a
// time and in list order (internal/hydrate), joins aliases from one
// ListAliases pass per listing (run while the describes go on, joined by
// TargetKeyId) and, with kms.IncludeTags, each key's ListResourceTags.
// A describe, alias or extra request that fails for good does not fail the
// listing: the key comes out with what was fetched and the reason in
// Key.DetailErr (errors.Is(k.DetailErr, kms.ErrPermissionDenied), say).
//
// # Extras (ListOptions.Include, kms.Describe)
//
// Each extra is its own operation with its own limiter at the published
// quota, retried like every call; an Include on a DetailBasic listing
// describes the keys as needed:
//
//   - IncludeTags: ListResourceTags (50 a page) into Labels.
//   - IncludeRotation: GetKeyRotationStatus, only for the keys that can
//     answer (customer-managed, SYMMETRIC_DEFAULT, AWS_KMS origin, no
//     custom key store): KeyRotationEnabled gives RotationEnabled or
//     RotationDisabled, RotationPeriodInDays RotationPeriod,
//     NextRotationDate NextRotationAt, OnDemandRotationStartDate (an
//     on-demand rotation in progress) RotatedAt. AWS-managed keys are
//     RotationEnabled every 365 days and the keys that cannot rotate
//     (asymmetric, HMAC, imported material, custom key stores)
//     RotationUnsupported, both without a call. A refused or failed read
//     leaves RotationUnknown, never RotationDisabled, with the reason in
//     DetailErr. 1000/s.
//   - IncludePolicy: GetKeyPolicy (PolicyName "default") into Policy. 1000/s.
//   - IncludeAccess: one Access per principal of every Allow statement of
//     the key policy (its kind as PrincipalType, Conditional with a
//     Condition; NotPrincipal and NotAction statements are reported as "*"
//     and Conditional) and one per grant (ListGrants, 100 a page:
//     PrincipalType "Grantee", the grant operations, Conditional with
//     encryption-context constraints). The policy is read once for both
//     IncludePolicy and IncludeAccess. ListGrants 100/s.
//
// An extra denied or failing for one key keeps the key with everything
// else; its error is joined into DetailErr, one per failed extra.
//
// ListKeys cannot filter, so a Filter is applied after DescribeKey. A
// filtered DetailBasic listing therefore describes every key to decide and
// yields the matching keys as described (DescribeKey's fields filled,
// Detail still DetailBasic as no aliases were joined). A key whose describe
// failed cannot be judged and is kept, with DetailErr set. The Filter is
// part of the cursor's scope: a cursor of an unfiltered listing is refused
// by a filtered one, and the other way round (kms.ErrInvalidCursor, before
// any request); Detail and Include are not.
//
// DescribeKey accepts a key ID (UUID or mrk- multi-Region ID), key ARN,
// alias name (alias/...) or alias ARN, checked client-side (1..2048
// characters, shape) before any request; WithGrantTokens adds up to 10
// grant tokens. ListKeyVersions lists ListKeyRotations with
// IncludeKeyMaterial ALL_KEY_MATERIAL: every key material, the CURRENT one
// as Primary; it refuses a Filter, DetailFull and an Include.
//
// Bad input (PageSize outside 0..1000, a bad Detail or Include, a
// malformed key reference, grant tokens, filter, or a cursor whose marker
// breaks the documented 1..1024 characters of U+0020..U+00FF) fails with
// kms.ErrInvalidArgument or kms.ErrInvalidCursor before any request.
//
// # Who retries
//
// The engine does, alone. Every SDK call passes a per-call option that sets
// Retryer to aws.NopRetryer, so the SDK sends each request once; the page
// fetches of the pagination iterators and the single calls
// (pagination.Request) are retried under the Lister's pagination.Retry
// (WithRetry) for errors whose portable code is retryable: throttling
// (ThrottlingException) and unavailability (KMSInternalException,
// DependencyTimeoutException, HTTP 5xx but 501, connection failures and
// answers cut off mid-body; every call is a read, safe to send again).
// Stacking the SDK's retryer under the engine's would multiply attempts
// into a retry storm under throttling and hide throttling from the
// limiters. The client's own Retryer still serves calls you make on it
// directly.
//
// # Rate limits
//
// Each operation has a client-side pagination.Limiter at DefaultQuotas (the
// published quotas: DescribeKey 2000/s, ListAliases 500/s, ListKeyRotations
// 100/s, ListResourceTags 2000/s, GetKeyRotationStatus 1000/s,
// GetKeyPolicy 1000/s, ListGrants 100/s; ListKeys 100/s, the lower
// published figure), shared by every listing of the Lister; WithRateLimit caps them
// all, WithOperationRateLimit sets one, and Lister.Limiter adjusts them
// live. Throttling that still happens slows the limiter (it adapts) and is
// retried, so it surfaces only once the retry budget is spent.
//
// # Deadlines and hostile servers
//
// Every request honours the caller's context, dial, TLS handshake and
// credential fetch included: a dead endpoint (one that accepts and never
// answers, or a closed port) or a credential source that hangs (instance
// metadata, a container endpoint) returns by the caller's deadline. (The
// SDK's credential cache lets a fetch it started go on after the caller
// gives up, so that the next call can use it.) An answer larger than 8
// MiB, a key ID that is not printable ASCII, or a NextMarker off the
// documented shape ends the listing with an error (kms.Error, code
// unknown) rather than being used.
//
// # Errors
//
// Every error is a *kms.Error (Provider aws, Op the AWS operation), cursor
// errors included, whose Unwrap is the SDK's error where there is one, so
// errors.As finds *types.NotFoundException or smithy.APIError. Codes:
// NotFoundException: ErrNotFound; InvalidArnException, ValidationException:
// ErrInvalidArgument; InvalidMarkerException: ErrInvalidCursor;
// KMSInvalidStateException, UnsupportedOperationException, HTTP 501:
// ErrUnsupported (never retried); DependencyTimeoutException,
// KMSInternalException, HTTP 5xx: ErrUnavailable (retried);
// AccessDeniedException: ErrPermissionDenied; ThrottlingException, HTTP
// 429: ErrThrottled (retried); no credentials in the chain, expired or
// invalid tokens (UnrecognizedClientException, InvalidSignatureException,
// ExpiredTokenException, MissingAuthenticationTokenException, ...):
// ErrUnauthenticated, unretried. Context errors are returned as they are.
//
// No error holds a credential: the secret key and session token the
// request was signed with, a signature, and the canonical request or
// string to sign a server may echo are redacted from the messages of the
// native errors (in place: errors.As still finds them, with their codes),
// and the request an HTTP response error keeps loses its Authorization
// and X-Amz-Security-Token headers.
//
// # Native objects
//
// Key.As finds *types.KeyListEntry (DetailBasic), *types.KeyMetadata
// (described keys), []types.AliasListEntry (DetailFull), []types.Tag
// (IncludeTags), the SDK's *kms.GetKeyRotationStatusOutput (IncludeRotation, keys
// that were asked) and []types.GrantListEntry (IncludeAccess);
// KeyVersion.As finds *types.RotationsListEntry.
package awskms
