// Package yandexkms is the Yandex Cloud KMS adapter of multikms: a
// kms.Lister over the official Go SDK (github.com/yandex-cloud/go-sdk, its
// gen/kms, gen/kmsasymmetricencryptionkey and gen/kmsasymmetricsignaturekey
// clients over the go-genproto yandex/cloud/kms/v1 services).
//
//	l := yandexkms.New(sdk, "b1g...")                        // your *ycsdk.SDK
//	l, err := yandexkms.NewFromConfig(ctx, "b1g...", ycsdk.Config{}) // CredentialsFromEnv
//	l, err := kms.Open(ctx, "yandexkms://b1g...?folder=b1h...")  // CredentialsFromEnv
//
// A Lister made by NewFromConfig or kms.Open owns its SDK: close it (it is
// an io.Closer) when done. kms.Open takes the folder as the host and the
// query parameters endpoint (host:port, default api.cloud.yandex.net:443),
// plaintext (true or false, for emulators) and folder (repeatable: more
// folders); credentials never go in the URL.
//
// # Calls
//
// ListKeys lists, folder after folder, SymmetricKeyService.List,
// AsymmetricEncryptionKeyService.List and AsymmetricSignatureKeyService.List
// as one stream (pagination.Concat of three pagination.ByPageToken listings
// per folder); Key.Kind says which kind a key is. The SDK's own iterators
// (SymmetricKeyIterator and the like) are not used: they stop at an empty
// page that still carries a next page token, where the engine goes on.
// Page size (0..1000, 0 meaning the cloud's default of 100), folder IDs
// (1..50 characters), key IDs (1..50) and the filter are checked before any
// request, as is the page token a cursor carries (at most 100 characters).
//
// The List answers are complete: DetailBasic and DetailFull cost the same
// (one List request per page) and every key comes out with Detail set to
// kms.DetailFull. ListOptions.Tags changes nothing: labels always come
// with the keys. The Filter is applied client-side, page by page.
//
// DescribeKey asks the three Get calls in turn (symmetric first) and stops
// at the first answer that is not NOT_FOUND. ListKeyVersions pages
// SymmetricKeyService.ListVersions; asymmetric keys have no versions in
// the API and are listed as one implicit version whose ID is the key's.
//
// # Several folders
//
// One Lister lists several folders: New(sdk, first, WithFolders(more...)).
// Its folder x kind listings are fetched WithConcurrency at a time
// (DefaultConcurrency), under one rate limiter, over one SDK connection;
// DescribeKey and ListKeyVersions need no folder (key IDs are global) and
// cost the same whatever the number of folders. kms.Merge of one Lister per
// folder works too, but Merge fetches only four listers ahead and asks every
// lister in turn in DescribeKey (three Gets each for a missing key); use
// Merge to join Yandex Cloud with other clouds. Each listing fetches its
// next page when it is needed (a folder rarely needs a second page of 100);
// WithPrefetch makes it fetch ahead.
//
// # Who retries
//
// The engine does, alone. The SDK has no retries of its own unless it was
// built with the retry.RetryDialOption of go-sdk/pkg/retry/v1 (a gRPC
// service config); gRPC offers no per-call switch to turn such a policy off,
// so build the SDK you give New without it (NewFromConfig and kms.Open do).
// Every page fetch and every Get is retried under the Lister's
// pagination.Retry (WithRetry; by default 5 attempts with jittered
// exponential backoff) for errors whose portable code is retryable:
// RESOURCE_EXHAUSTED (kms.ErrThrottled) and UNAVAILABLE, DEADLINE_EXCEEDED
// from the server, INTERNAL and dial failures (kms.ErrUnavailable).
// UNAUTHENTICATED is not retried. Note that the SDK reports a failure to
// obtain an IAM token (the instance metadata service or the IAM endpoint
// briefly out of reach) as UNAUTHENTICATED too, so such an outage surfaces
// as kms.ErrUnauthenticated at once; retry the listing from its cursor.
//
// # Rate limits
//
// Yandex Cloud publishes no KMS request quota. Every request of a Lister
// waits on one adaptive pagination.Limiter (DefaultRateLimit requests a
// second, DefaultBurst; WithRateLimit, or WithLimiter to share one between
// Listers); RESOURCE_EXHAUSTED slows it down.
//
// # Errors
//
// Every error is a *kms.Error (Provider yandex, Op the gRPC method such as
// "SymmetricKey.List") whose Unwrap is the gRPC status error, so
// status.FromError and errors.As find the status. Codes: NOT_FOUND:
// ErrNotFound; INVALID_ARGUMENT, OUT_OF_RANGE: ErrInvalidArgument;
// PERMISSION_DENIED: ErrPermissionDenied; UNAUTHENTICATED:
// ErrUnauthenticated; RESOURCE_EXHAUSTED: ErrThrottled; UNAVAILABLE,
// DEADLINE_EXCEEDED (the server's), INTERNAL: ErrUnavailable;
// FAILED_PRECONDITION, UNIMPLEMENTED: ErrUnsupported. When the caller's
// context is done, its error is returned as it is.
//
// # Mapping
//
// Status CREATING, ACTIVE, INACTIVE: StateCreating, StateEnabled (Enabled
// true), StateDisabled. Symmetric keys: Usage EncryptDecrypt, Spec the
// default algorithm (AES_256, ...), PrimaryVersion the primary version's ID,
// Protection HSM when the primary version is hosted_by_hsm (or the default
// algorithm is AES_256_HSM) and Software otherwise, RotatedAt,
// RotationPeriod (AutomaticRotation when set, NextRotationAt = RotatedAt +
// RotationPeriod). Asymmetric keys: Usage EncryptDecrypt or SignVerify, Spec
// the encryption or signature algorithm, Protection Software. All: ID,
// FolderID, Name, Description, Labels (the native map, shared),
// DeletionProtection, CreatedAt. Versions: ACTIVE: VersionEnabled,
// SCHEDULED_FOR_DESTRUCTION: VersionPendingDeletion with DestroyAt,
// DESTROYED: VersionDestroyed; Primary, Algorithm, CreatedAt, Protection.
//
// # Native objects
//
// Key.As finds *kmspb.SymmetricKey, *asymmetricencryption.AsymmetricEncryptionKey
// or *asymmetricsignature.AsymmetricSignatureKey (go-genproto); KeyVersion.As
// finds *kmspb.SymmetricKeyVersion, or the asymmetric key of an implicit
// version.
package yandexkms
