// Package yandexkms is the Yandex Cloud KMS adapter of multikms: a
// kms.Lister over the official Go SDK (github.com/yandex-cloud/go-sdk, its
// gen/kms, gen/kmsasymmetricencryptionkey and gen/kmsasymmetricsignaturekey
// clients over the go-genproto yandex/cloud/kms/v1 services).
//
//	l := yandexkms.New(sdk, "b1g...")                  // your *ycsdk.SDK; Close closes nothing
//	l, err := yandexkms.NewFromConfig(ctx, "b1g...")   // CredentialsFromEnv; Close shuts the SDK down
//	l, err := kms.Open(ctx, "yandexkms://b1g...?folder=b1h...")
//	defer l.Close()
//
// # Adapter convention
//
// The three adapters (awskms, alibabakms, yandexkms) configure, open,
// close, describe, check and fail the same way:
//
//	| convention          | yandexkms                                                                    |
//	|---------------------|------------------------------------------------------------------------------|
//	| New                 | New(sdk *ycsdk.SDK, folderID string, opts ...Option) *Lister, over the       |
//	|                     | caller's SDK; a bad folder or option fails every call (ErrInvalidArgument)   |
//	|                     | before any request                                                           |
//	| NewFromConfig       | NewFromConfig(ctx, folderID string, opts ...Option) (*Lister, error):        |
//	|                     | CredentialsFromEnv (or WithCredentials), DefaultEndpoint (or WithEndpoint, a |
//	|                     | full URL), WithSDKConfig; a nil *Lister with every error; never a blocking   |
//	|                     | dial                                                                         |
//	| Close               | closes the SDK NewFromConfig and kms.Open built; a Lister from New closes    |
//	|                     | nothing                                                                      |
//	| WithRateLimit       | WithRateLimit(perSecond float64, burst int): one limiter for every request   |
//	|                     | of the Lister (default DefaultRateLimit, DefaultBurst: no published quota);  |
//	|                     | WithLimiter shares one                                                       |
//	| WithConcurrency     | WithConcurrency(n): requests in flight, here the folder x kind listings of   |
//	|                     | ListKeys fetched at once (1..1024, default DefaultConcurrency)               |
//	| WithPrefetch        | WithPrefetch(n): pages fetched ahead of the caller by each paged listing (0  |
//	|                     | none, default 1, at most 64)                                                 |
//	| WithRetry           | WithRetry(pagination.Retry): the engine retries every request, alone         |
//	|                     | (default 5 attempts, jittered exponential backoff); throttled and            |
//	|                     | unavailable answers only                                                     |
//	| WithObserver        | WithObserver(pagination.Observer): every request, retry wait and pace change |
//	| URL parameters      | yandexkms://<folderID>?endpoint=<full URL>&folder=<id>&rate=<n>; folder      |
//	|                     | repeatable; yandexkms://?cloud=<id> or ?organization=<id> (discovery);       |
//	|                     | unknown, repeated, empty parameters and user info refused naming them        |
//	| DescribeKey content | the listing's: DetailFull (no aliases in Yandex Cloud; labels and rotation   |
//	|                     | with every key); ListKeys costs the same at any Detail; DescribeKeyInclude   |
//	|                     | (kms.Describe) adds what an Include asks for, as a listing does              |
//	| key references      | key IDs, 1..50 lowercase Latin letters and digits; invalid UTF-8 and ARNs of |
//	|                     | other clouds (arn:, acs:) refused before any request                         |
//	| credentials errors  | missing, unreadable or refused credentials: ErrUnauthenticated               |
//
// # Opening a URL
//
// kms.Open (once this package is imported) opens
//
//	yandexkms://<folderID>?endpoint=<full URL>&folder=<id>&rate=<n>
//
// with NewFromConfig and CredentialsFromEnv: credentials never go in the
// URL. The host is the first folder's ID. Parameters, all optional:
//
//	endpoint  the API endpoint as a full URL (default https://api.cloud.yandex.net:443):
//	          https://host[:port] is TLS, http://host:port plain text, allowed only for a
//	          loopback or private host (an emulator such as yandexkmstest, a private installation)
//	folder    one more folder to list after the host's; repeatable
//	rate      the client-side pace in requests a second (a number in (0, 1e6]; burst: a
//	          second's worth, at most DefaultBurst)
//
// For example:
//
//	yandexkms://b1gabcdefghij0123456?folder=b1gklmnopqrst0123456&rate=50
//	yandexkms://b1gabcdefghij0123456?endpoint=http://127.0.0.1:4443
//
// The discovery forms take no host and list every ACTIVE folder found
// (DiscoverFromConfig), with endpoint and rate as above:
//
//	cloud         every folder of the cloud: yandexkms://?cloud=b1gcloud0000000000001
//	organization  every folder of every cloud of the organization:
//	              yandexkms://?organization=bpforg00000000000001
//
// A parameter that is unknown (plaintext= of older releases included),
// repeated (but folder), empty, a malformed value, user info, a path or a
// port on the host are refused by kms.Open with kms.ErrInvalidArgument
// naming the parameter, before any request; values are never quoted.
//
// # Calls
//
// ListKeys lists, folder after folder, SymmetricKeyService.List,
// AsymmetricEncryptionKeyService.List and AsymmetricSignatureKeyService.List
// as one stream (pagination.Concat of three pagination.ByPageToken listings
// per folder); Key.Kind says which kind a key is. The SDK's own iterators
// (SymmetricKeyIterator and the like) are not used: they stop at an empty
// page that still carries a next page token, where the engine goes on.
// Page size (0..1000, 0 meaning the cloud's default of 100), folder IDs and
// key IDs (1..50 lowercase letters and digits), the options and the filter
// are checked before any request, as is the page token a cursor carries (at
// most 100 characters).
//
// The List answers are complete: DetailBasic and DetailFull cost the same
// (one List request per page) and every key comes out with Detail set to
// kms.DetailFull. Labels (IncludeTags) and rotation (IncludeRotation) come
// with every key, at no request; Yandex Cloud has no key policy document
// (IncludePolicy leaves Key.Policy empty). IncludeAccess lists each key's
// access bindings with the ListAccessBindings call of its kind (pages of
// 1000 by token, WithConcurrency keys at once, in list order, no read for
// keys past MaxItems): one kms.Access per binding, Principal the
// subject's ID, PrincipalType its type (userAccount, serviceAccount, group,
// system, ...), Actions the role, Source "binding" (AccessSource); bindings
// have no conditions. Key.OpenToAnyone tells a key bound to system
// allUsers or allAuthenticatedUsers. A refused or failed read keeps the key
// with everything else, Access empty and the reason in Key.DetailErr. The
// Filter is applied client-side, page by page; it is part of a cursor's
// scope (a cursor of another filter is refused), Detail and Include are
// not. Key.CloudID is set by discovery (the folder's cloud); a Lister of
// given folders leaves it empty.
//
// DescribeKey asks the three Get calls in turn (symmetric first) and stops
// at the first answer that is not NOT_FOUND; its Key is what a listing
// gives. ListKeyVersions pages SymmetricKeyService.ListVersions; asymmetric
// keys have no versions in the API and are listed as one implicit version
// whose ID is the key's. ListKeyVersions refuses a Filter, Detail or
// Include, which the cloud cannot honour for versions.
//
// # Deadlines
//
// Every call returns by the caller's context: connecting, the TLS
// handshake, the IAM token exchange and the request itself. NewFromConfig
// and kms.Open build the SDK with a negative DialContextTimeout (the SDK's
// default dials blocking for up to 20 s on a background context); the SDK
// also makes concurrent calls wait for the first one's endpoint discovery
// and token exchange, so every SDK call runs in a goroutine the caller does
// not wait for beyond its deadline. A silent endpoint or a closed port ends
// each call with the context's error or kms.ErrUnavailable.
//
// # Several folders
//
// One Lister lists several folders: New(sdk, first, WithFolders(more...)).
// Its folder x kind listings are fetched WithConcurrency at a time
// (DefaultConcurrency), under one rate limiter, over one SDK connection;
// DescribeKey and ListKeyVersions need no folder (key IDs are global) and
// cost the same whatever the number of folders. kms.Merge of one Lister per
// folder works too, but asks every lister in turn in DescribeKey (three Gets
// each for a missing key); use Merge to join Yandex Cloud with other clouds.
//
// # Who retries
//
// The engine does, alone. The SDK has no retries of its own unless it was
// built with the retry.RetryDialOption of go-sdk/pkg/retry/v1 (a gRPC
// service config); gRPC offers no per-call switch to turn such a policy off,
// so build the SDK you give New without it (NewFromConfig and kms.Open do).
// Every page fetch and every Get is retried under the Lister's
// pagination.Retry (WithRetry) for errors whose portable code is retryable:
// RESOURCE_EXHAUSTED from the server (kms.ErrThrottled) and UNAVAILABLE,
// DEADLINE_EXCEEDED from the server, INTERNAL, CANCELLED while the caller's
// context is alive, and dial failures (kms.ErrUnavailable). UNAUTHENTICATED and UNIMPLEMENTED are not retried,
// nor is an answer the client cannot take (see Errors). The SDK reports a
// failure to obtain an IAM token (the instance metadata service or the IAM
// endpoint out of reach) as UNAUTHENTICATED, so such an outage surfaces as
// kms.ErrUnauthenticated at once; retry the listing from its cursor.
//
// # Errors
//
// Every error of a call is a *kms.Error (Provider yandex, Op the gRPC
// method such as "SymmetricKey.List", or the Lister method for input refused
// client-side) whose Unwrap is the gRPC status error, so status.FromError and
// errors.As find the status. Codes: NOT_FOUND: ErrNotFound;
// INVALID_ARGUMENT, OUT_OF_RANGE: ErrInvalidArgument; PERMISSION_DENIED:
// ErrPermissionDenied; UNAUTHENTICATED: ErrUnauthenticated;
// RESOURCE_EXHAUSTED: ErrThrottled; UNAVAILABLE, DEADLINE_EXCEEDED (the
// server's), INTERNAL, CANCELLED (not the caller's: an RPC cancelled under
// the call, such as work the SDK shares with another call that was
// cancelled): ErrUnavailable; FAILED_PRECONDITION, UNIMPLEMENTED:
// ErrUnsupported. An answer the gRPC client could not decode or that is
// larger than it accepts (4 MiB), and a next page token beyond the API's 100
// characters, are ErrUnavailable and never retried: the same answer would
// come again. When the caller's context is done, its error is returned as it
// is. No error, event or cursor holds a credential: the SDK's token errors
// do not quote the token, CredentialsFromEnv never quotes a variable's
// value or a key file's contents, and URL values are never echoed.
//
// # Rate limits
//
// Yandex Cloud publishes no KMS request quota. Every request of a Lister
// waits on one adaptive pagination.Limiter (DefaultRateLimit requests a
// second, DefaultBurst; WithRateLimit, or WithLimiter to share one between
// Listers); RESOURCE_EXHAUSTED slows it down.
//
// # Mapping
//
// Status CREATING, ACTIVE, INACTIVE: StateCreating, StateEnabled (Enabled
// true), StateDisabled. Symmetric keys: Usage EncryptDecrypt, Spec the
// default algorithm (AES_256, ...), PrimaryVersion the primary version's ID,
// Protection HSM when the primary version is hosted_by_hsm (or the default
// algorithm is AES_256_HSM) and Software otherwise, RotatedAt,
// RotationPeriod; AutomaticRotation RotationEnabled when a rotation period
// is set and RotationDisabled otherwise, NextRotationAt = RotatedAt +
// RotationPeriod. Asymmetric keys: Usage EncryptDecrypt or SignVerify, Spec
// the encryption or signature algorithm, Protection Software,
// AutomaticRotation RotationUnsupported. All: ID, FolderID, Name,
// Description, Labels (the native map, shared), DeletionProtection,
// CreatedAt. Versions: ACTIVE: VersionEnabled, SCHEDULED_FOR_DESTRUCTION:
// VersionPendingDeletion with DestroyAt, DESTROYED: VersionDestroyed;
// Primary, Algorithm, CreatedAt, Protection.
//
// # Native objects
//
// Key.As finds *kmspb.SymmetricKey, *asymmetricencryption.AsymmetricEncryptionKey
// or *asymmetricsignature.AsymmetricSignatureKey (go-genproto); KeyVersion.As
// finds *kmspb.SymmetricKeyVersion, or the asymmetric key of an implicit
// version.
//
// # Testing
//
// Package yandexkmstest is a wire-compatible Yandex Cloud KMS server to test
// code that uses this package (or the SDK directly) through the real SDK; see
// its Example.
package yandexkms
