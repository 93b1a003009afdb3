// Package alibabakms lists and describes Alibaba Cloud KMS keys and key
// versions through the official SDK (github.com/aliyun/alibaba-cloud-sdk-go,
// services/kms) as a kms.Lister.
//
// Build a Lister with New over an SDK client, with NewFromConfig from the
// SDK's standard credential chain, or with kms.Open and a URL such as
// alibabakms://?region=cn-hangzhou (this package registers the scheme).
// Test your own code against providers/alibabakms/alibabakmstest, a
// wire-compatible server reached through the real SDK client.
//
// # Adapter convention
//
// The three adapters (awskms, alibabakms, yandexkms) configure, open,
// close, describe, check and fail the same way:
//
//	| convention          | alibabakms                                                                   |
//	|---------------------|------------------------------------------------------------------------------|
//	| New                 | New(client *kms.Client, opts ...Option) *Lister: the client as it is         |
//	|                     | (region, endpoint, credentials); plain HTTP upgraded to HTTPS unless the     |
//	|                     | Domain is a loopback or private host; a bad option fails every call          |
//	| NewFromConfig       | NewFromConfig(ctx, opts...) (*Lister, error): the SDK's credential chain     |
//	|                     | (environment, profile file, instance RAM role); WithRegion, WithEndpoint,    |
//	|                     | WithCredentials, WithProfile; nil Lister with every error                    |
//	| Close               | NewFromConfig/Open: closes the connections and shuts the client down; New:   |
//	|                     | closes the idle connections of the transport New installed only              |
//	| WithRateLimit       | WithRateLimit(perSecond, burst): finite, (0, 1e6]; default 50/s burst 5,     |
//	|                     | shared by every request of the Lister; WithLimiter shares one quota          |
//	| WithConcurrency     | WithConcurrency(n): at most n requests of one listing in flight, of them     |
//	|                     | max(1, n/3) pages; default 12 (4 pages, 8 keys)                              |
//	| WithPrefetch        | WithPrefetch(n): 0 sequential pages, default 1; page-number listings fetch   |
//	|                     | their pages in parallel (WithConcurrency) instead of ahead                   |
//	| WithRetry           | WithRetry(pagination.Retry): throttled and unavailable failures retried with |
//	|                     | jittered backoff; 501 / unsupported never                                    |
//	| WithObserver        | WithObserver(pagination.Observer): every attempt, retry wait, pace change    |
//	|                     | and per-key failure, with its Op                                             |
//	| URL parameters      | alibabakms://?region=&endpoint=&profile=&rate= (no host, no user info);      |
//	|                     | unknown, repeated, empty ones refused naming them, values never echoed       |
//	| DescribeKey content | DetailFull: KeyMetadata (with rotation) and aliases; tags, policy, access    |
//	|                     | only when asked (a listing's Include, DescribeKeyInclude)                    |
//	| key references      | key ID, alias/<name>, acs:kms:<region>:<uid>:key/<id> or :alias/<name>,      |
//	|                     | checked (shape, length, UTF-8) before any request, naming keyRef             |
//	| credentials errors  | no credentials, InvalidAccessKeyId.*, SignatureDoesNotMatch,                 |
//	|                     | InvalidSecurityToken.* (expired STS token): kms.ErrUnauthenticated           |
//
// # URL parameters
//
// kms.Open("alibabakms://?region=cn-hangzhou") takes these parameters, each
// at most once, none empty; the URL has no host, path or user info:
//
//   - region: the region ID (default ALIBABA_CLOUD_REGION_ID; one of the two
//     is required), such as alibabakms://?region=cn-shanghai
//   - endpoint: the endpoint as a full URL, https://host[:port], or plain
//     http only to a loopback or private host (a test server), such as
//     alibabakms://?region=cn-hangzhou&endpoint=https://kms-vpc.cn-hangzhou.aliyuncs.com
//   - profile: the profile of the credentials file to sign with, such as
//     alibabakms://?region=cn-hangzhou&profile=audit
//   - rate: the request pace in requests a second, (0, 1e6], such as
//     alibabakms://?region=cn-hangzhou&rate=25
//
// A fleet of regions (DiscoverFromConfig) opens with region=* (every
// region KMS DescribeRegions lists, asked from ALIBABA_CLOUD_REGION_ID) or
// region=a,b, and role_arn= (with role_session_name=, external_id=,
// sts_endpoint=) assumes a RAM role for it, such as
// alibabakms://?region=*&role_arn=acs:ram::1234567890123456:role/kms-audit
//
// Credentials never come from the URL: Open uses NewFromConfig's chain.
//
// # Pagination, filters and detail
//
// ListKeys and ListKeyVersions page by page number through the pagination
// engine; pages after the first are fetched concurrently once the total is
// known. Filters go to the server as the ListKeys Filters parameter where it
// can filter (see Lister.ListKeys). The keys are hydrated by the one
// per-key pipeline of every adapter (internal/hydrate): DetailFull
// describes every key and joins its aliases; Include adds tags
// (ListResourceTags), rotation (from the describe: AutomaticRotation
// Enabled, Disabled, Suspended as Disabled; asymmetric, HMAC and imported
// keys Unsupported; with RotationInterval, LastRotationDate and
// NextRotationDate), the key policy and the access its Allow statements
// grant (GetKeyPolicy, for keys in a KMS instance only). A key whose
// describe or extra is denied stays in the listing with DetailErr set. A
// cursor resumes the listing it was made for: the Filter is part of its
// scope, Detail and Include are not.
//
// # Aliases in one pass
//
// Every request of a Lister draws on the one 50/s quota, so a DetailFull
// listing fetches aliases with whichever sends fewer requests: one
// account-wide ListAliases pass (100 aliases a page) joined into every key,
// or one ListAliasesByKeyId per key. It chooses as the first key is
// described, from the first ListKeys page's TotalCount (the keys, at most
// MaxItems) and the first ListAliases page's (the account's aliases): the
// pass when its pages are no more than the keys. With fewer than two keys
// to list, or a ListAliases the caller may not send, the aliases come key
// by key. 2,000 keys with one alias each take 20 + 2,000 + 20 requests
// instead of 20 + 2,000 + 2,000.
//
// # Rate limit and retries
//
// Alibaba Cloud KMS allows 50 key-management reads a second per account and
// region, all operations together, and answers the excess with HTTP 429
// Rejected.Throttling, which the SDK does not retry. Every request of a
// Lister therefore goes through one shared pagination.Limiter, and the
// engine retries throttling and 5xx answers with jittered backoff, slowing
// the limiter down. The SDK's own retries are turned off on the client:
// they would multiply the engine's attempts, retry only 5xx and run outside
// the caller's context.
//
// # Context
//
// The SDK's calls take no context. New installs a transport on the client
// that sends each request under the context of the call it belongs to, so a
// deadline or cancellation aborts the exchange (dial, TLS, request, answer)
// and the call returns at once, leaving no goroutine behind. The same
// transport serialises the SDK's request preparation, which writes shared
// client state, and bounds an answer to 4 MiB; exchanges run concurrently.
//
// # Errors
//
// Every error is a *kms.Error with Provider alibaba and the operation, cursor
// errors included; context errors pass through. InvalidParameter maps to
// kms.ErrInvalidArgument, Forbidden.KeyNotFound and Forbidden.ResourceNotFound
// to kms.ErrNotFound, other Forbidden.* codes to kms.ErrPermissionDenied,
// missing credentials, InvalidAccessKeyId.*, SignatureDoesNotMatch and
// InvalidSecurityToken.* to kms.ErrUnauthenticated, Rejected.Throttling and
// Throttling.* to kms.ErrThrottled, 5xx answers, transport failures and
// malformed answers to kms.ErrUnavailable, HTTP 501 and unknown actions to
// kms.ErrUnsupported (never retried), and HTTP 413, 414 and 431 to
// kms.ErrInvalidArgument.
//
// The SDK's *errors.ServerError (and *errors.ClientError, *url.Error) stay
// reachable with errors.As, rebuilt without what could leak a credential:
// the server's string to sign (which holds the STS SecurityToken), the
// request URL's query (AccessKeyId, Signature, SecurityToken) and every
// value the request signed with, wherever a server echoes it; their codes,
// status and request IDs are kept, their response headers dropped. No
// message, native or not, holds a credential.
//
// Keys keep alikms.Key (from ListKeys) and alikms.KeyMetadata (once
// described), versions alikms.KeyVersion, for Key.As and KeyVersion.As.
package alibabakms
