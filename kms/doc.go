// Package kms is the provider-neutral model of multikms: Key, KeyVersion,
// the Lister interface every cloud adapter implements, ListOptions, Filter
// and Include, portable errors, Merge (the fleet) and Open (URL schemes).
//
// It knows nothing about any cloud; the adapters live in providers/ and
// each passes kmstest.RunConformance, which checks the rules below.
//
// # Detail and DescribeKey
//
// A DetailBasic listing returns what the cloud's list call gives, with no
// extra request. A DetailFull listing describes every key and joins its
// aliases. DescribeKey returns the same content on every adapter: the key
// at DetailFull, with its aliases joined, exactly as a DetailFull listing
// returns it (plus, through Describe or a Lister's DescribeKeyInclude, the
// extras an Include asks for). A key that could not be filled to the level
// asked (its describe denied, say) is still listed, with what is known and
// the reason in Key.DetailErr.
//
// # Include
//
// ListOptions.Include asks for extras that cost requests: IncludeTags
// (Key.Labels where the list or describe call does not give them),
// IncludeRotation (AutomaticRotation, RotationPeriod, NextRotationAt where
// it costs a request: AWS GetKeyRotationStatus), IncludePolicy (Key.Policy,
// the document as the cloud returns it) and IncludeAccess (Key.Access: who
// may use the key; see Access and Key.OpenToAnyone). The bits combine; bits
// outside these four are refused with ErrInvalidArgument before any request.
// An Include on a DetailBasic listing describes the keys as it needs to and
// leaves Detail DetailBasic. An extra that is not asked for is not fetched
// and its field stays empty, unless the cloud gives it for free with the
// list or describe call (Yandex labels, Alibaba rotation). An extra that is
// denied or fails for one key keeps the key with everything else and adds
// the reason to DetailErr (one *Error per failed extra, joined). Keys that
// cannot answer an extra cost no request for it. MaxItems bounds the work:
// no describe or extra starts for keys past it.
//
// # Rotation
//
// Key.AutomaticRotation is a RotationStatus, never read from a failure:
// RotationEnabled and RotationDisabled are what the cloud said;
// RotationUnsupported is a key that cannot rotate automatically
// (asymmetric, HMAC, imported material, a custom key store), known without
// a request; RotationUnknown means not fetched, or the cloud refused or
// failed to tell, with the reason in DetailErr. A refused rotation read is
// RotationUnknown, never RotationDisabled.
//
// # Errors
//
// Every error a Lister's call returns is a *Error (errors.As), with its
// Provider and Op set, whose Code matches a class with errors.Is
// (ErrNotFound, ErrInvalidArgument, ErrInvalidCursor, ...); the native SDK
// error is reachable with errors.As through Unwrap. Bad input (options, key
// references, cursors) fails with ErrInvalidArgument or ErrInvalidCursor
// before any request, naming the parameter. A cancelled or expired context
// makes a call return the context's error itself, unwrapped. A message
// carries exactly one "kms: " prefix and never a credential.
//
// # JSON and text
//
// Key and KeyVersion marshal to a stable JSON schema (see Key.MarshalJSON)
// and back; Detail, Include, Code and Filter have text forms (MarshalText,
// and ParseDetail, ParseInclude, ParseFilter for flags).
package kms
