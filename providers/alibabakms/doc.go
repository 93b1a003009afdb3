// Package alibabakms lists and describes Alibaba Cloud KMS keys and key
// versions through the official SDK (github.com/aliyun/alibaba-cloud-sdk-go,
// services/kms) as a kms.Lister.
//
// Build a Lister with New over an SDK client, with NewFromEnv from the
// standard environment variables, or with kms.Open and a URL such as
// alibabakms://?region=cn-hangzhou (this package registers the scheme).
//
// # Pagination, filters and detail
//
// ListKeys and ListKeyVersions page by page number through the pagination
// engine; pages after the first are fetched concurrently once the total is
// known. Filters go to the server as the ListKeys Filters parameter where it
// can filter (see Lister.ListKeys); DetailFull describes every key, lists its
// aliases and, with ListOptions.Tags, its tags. A key whose describe is
// denied stays in the listing with DetailErr set.
//
// # Rate limit and retries
//
// Alibaba Cloud KMS allows 50 key-management reads a second per account and
// region, all operations together, and answers the excess with HTTP 429
// Rejected.Throttling, which the SDK does not retry. Every request of a
// Lister (pages of every iterator, describes, aliases, tags) therefore goes
// through one shared pagination.Limiter, 50/s by default (WithRateLimit,
// WithLimiter to share it between Listers), and the engine retries
// throttling and 5xx answers with jittered backoff, slowing the limiter
// down. The SDK's own retries are turned off on the client (New sets
// Config.AutoRetry to false): they would multiply the engine's attempts,
// retry only 5xx and run outside the caller's context.
//
// # Context
//
// The SDK's calls take no context. New installs a transport on the client
// that sends each request under the context of the call it belongs to, so a
// deadline or cancellation aborts the HTTP exchange and the call returns at
// once, leaving no goroutine behind. The same transport serialises the
// SDK's request preparation, which writes shared client state; exchanges
// run concurrently.
//
// # Transport security
//
// The SDK defaults to plain HTTP. NewClient, NewFromEnv and Open use HTTPS
// unless an endpoint is explicitly given as http://... (as tests do for the
// emulator). New leaves the given client's scheme as it is.
//
// # Errors
//
// Errors are *kms.Error: InvalidParameter maps to kms.ErrInvalidArgument,
// Forbidden.KeyNotFound and Forbidden.ResourceNotFound to kms.ErrNotFound,
// other Forbidden.* codes to kms.ErrPermissionDenied,
// InvalidAccessKeyId.NotFound and SignatureDoesNotMatch to
// kms.ErrUnauthenticated, Rejected.Throttling, Throttling and Throttling.*
// to kms.ErrThrottled, and 5xx answers to kms.ErrUnavailable. The SDK's
// *errors.ServerError stays reachable with errors.As; the messages hold no
// credential (the string to sign and request URL the SDK may quote are
// left out).
//
// Keys keep alikms.Key (from ListKeys) and alikms.KeyMetadata (once
// described), versions alikms.KeyVersion, for Key.As and KeyVersion.As.
package alibabakms
