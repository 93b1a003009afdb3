// Package awskms is the AWS KMS adapter of multikms: a kms.Lister over the
// official aws-sdk-go-v2 KMS client (github.com/aws/aws-sdk-go-v2/service/kms).
//
//	l := awskms.New(kmssdk.NewFromConfig(cfg))           // your client
//	l, err := awskms.NewFromConfig(ctx, awskms.WithRegion("eu-west-1"))
//	l, err := kms.Open(ctx, "awskms://?region=eu-west-1&profile=prod")
//
// # Calls
//
// ListKeys pages ListKeys (Limit 1..1000, Marker) through pagination.ByMarker.
// DetailFull describes every key with DescribeKey, DescribeConcurrency at a
// time and in list order (pagination.Map), joins aliases from one
// ListAliases pass per listing (run while the describes go on, joined by
// TargetKeyId) and, with ListOptions.Tags, each key's ListResourceTags.
// A describe, alias or tag request that fails for good does not fail the
// listing: the key comes out with what was fetched and the reason in
// Key.DetailErr (errors.Is(k.DetailErr, kms.ErrPermissionDenied), say).
//
// ListKeys cannot filter, so a Filter is applied after DescribeKey. A
// filtered DetailBasic listing therefore describes every key to decide and
// yields the matching keys as described (DescribeKey's fields filled,
// Detail still DetailBasic as no aliases or tags were joined). A key whose
// describe failed cannot be judged and is kept, with DetailErr set.
//
// DescribeKey accepts a key ID (UUID or mrk- multi-Region ID), key ARN,
// alias name (alias/...) or alias ARN, checked client-side (length 1..2048,
// shape) before any request; WithGrantTokens adds up to 10 grant tokens.
// ListKeyVersions lists ListKeyRotations with IncludeKeyMaterial
// ALL_KEY_MATERIAL: every key material, the CURRENT one as Primary.
//
// Bad input (PageSize outside 0..1000, a malformed key reference, grant
// tokens, filter, or a cursor whose marker breaks the documented 1..1024
// characters of U+0020..U+00FF) fails with kms.ErrInvalidArgument or
// kms.ErrInvalidCursor before any request.
//
// # Who retries
//
// The engine does, alone. Every SDK call passes a per-call option that sets
// Retryer to aws.NopRetryer, so the SDK sends each request once; the page
// fetches of the pagination iterators and DescribeKey (pagination.Call) are
// retried under the Lister's pagination.Retry (WithRetry; by default 5
// attempts with jittered exponential backoff) for errors whose portable code
// is retryable: throttling (ThrottlingException) and unavailability
// (KMSInternalException, DependencyTimeoutException, HTTP 5xx, connection
// failures and answers cut off mid-body; every call is a read, safe to send
// again). Stacking the SDK's retryer (3 attempts) under the engine's would
// multiply attempts into a retry storm under throttling and hide throttling
// from the limiters. The client's own Retryer still serves calls you make
// on it directly.
//
// # Rate limits
//
// Each operation has a client-side pagination.Limiter at DefaultQuotas (the
// published quotas: DescribeKey 2000/s, ListAliases 500/s, ListKeyRotations
// 100/s, ListResourceTags 2000/s; ListKeys 100/s, the lower published
// figure), shared by every listing of the Lister; WithRateLimit sets them and
// Lister.Limiter adjusts them live. Throttling that still happens slows the
// limiter (it adapts) and is retried, so it surfaces only once the retry
// budget is spent.
//
// # Errors
//
// Every error is a *kms.Error (Provider aws, Op the AWS operation) whose
// Unwrap is the SDK's error, so errors.As finds *types.NotFoundException or
// smithy.APIError. Codes: NotFoundException: ErrNotFound; InvalidArnException,
// ValidationException: ErrInvalidArgument; InvalidMarkerException:
// ErrInvalidCursor; KMSInvalidStateException, UnsupportedOperationException:
// ErrUnsupported (the key's state or type does not allow the call);
// DependencyTimeoutException, KMSInternalException, HTTP 5xx: ErrUnavailable
// (retried); AccessDeniedException: ErrPermissionDenied; ThrottlingException,
// HTTP 429: ErrThrottled (retried); signature and token errors:
// ErrUnauthenticated. Context errors are returned as they are.
//
// # Native objects
//
// Key.As finds *types.KeyListEntry (DetailBasic), *types.KeyMetadata
// (described keys), []types.AliasListEntry and []types.Tag (DetailFull);
// KeyVersion.As finds *types.RotationsListEntry.
package awskms
