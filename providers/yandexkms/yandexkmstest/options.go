package yandexkmstest

import (
	"context"
	"time"

	"github.com/yandex-cloud/go-genproto/yandex/cloud/access"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
)

// Option configures the server (Start).
type Option func(*config)

type config struct {
	token       string
	latency     time.Duration
	quotaRate   float64
	quotaBurst  int
	unavailable int
	emptyPages  bool
	// deniedUnknown answers PERMISSION_DENIED for unknown keys.
	deniedUnknown bool
	// deniedBindings answers PERMISSION_DENIED to ListAccessBindings.
	deniedBindings map[string]bool
	// Hostile knobs (hostile.go).
	servedPageSize int
	nextTokenSize  int
	idSuffix       string
	seed           seed
}

// seed is what the store is built from, in seeding order.
type seed struct {
	symmetric  []*kmspb.SymmetricKey
	encryption []*aepb.AsymmetricEncryptionKey
	signature  []*aspb.AsymmetricSignatureKey
	versions   map[string][]*kmspb.SymmetricKeyVersion
	bindings   map[string][]*access.AccessBinding
}

// WithToken sets the IAM token the server accepts (DefaultToken otherwise).
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithLatency delays every KMS request by d (endpoint discovery is not delayed).
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithQuota answers RESOURCE_EXHAUSTED to KMS requests beyond perSecond a
// second with the given burst, as a token bucket shared by all methods.
func WithQuota(perSecond float64, burst int) Option {
	return func(c *config) { c.quotaRate, c.quotaBurst = perSecond, burst }
}

// WithUnavailable makes the first n KMS requests fail with UNAVAILABLE.
func WithUnavailable(n int) Option { return func(c *config) { c.unavailable = n } }

// WithEmptyPages makes every list answer an empty page that still carries a
// next page token before each real page: the trap the SDK's own iterators
// fall into (they stop there).
func WithEmptyPages() Option { return func(c *config) { c.emptyPages = true } }

// WithDeniedForUnknownKeys makes Get and ListVersions answer
// PERMISSION_DENIED rather than NOT_FOUND for a key of their kind that the
// server does not hold, as Yandex Cloud may answer for a resource the caller
// cannot see (a key of another kind included).
func WithDeniedForUnknownKeys() Option { return func(c *config) { c.deniedUnknown = true } }

// WithSymmetricKeys seeds symmetric keys, each in its FolderId, in list order.
func WithSymmetricKeys(keys ...*kmspb.SymmetricKey) Option {
	return func(c *config) { c.seed.symmetric = append(c.seed.symmetric, keys...) }
}

// WithVersions seeds the versions of symmetric key keyID, in list order.
func WithVersions(keyID string, versions ...*kmspb.SymmetricKeyVersion) Option {
	return func(c *config) {
		if c.seed.versions == nil {
			c.seed.versions = map[string][]*kmspb.SymmetricKeyVersion{}
		}
		c.seed.versions[keyID] = append(c.seed.versions[keyID], versions...)
	}
}

// WithAsymmetricEncryptionKeys seeds asymmetric encryption keys.
func WithAsymmetricEncryptionKeys(keys ...*aepb.AsymmetricEncryptionKey) Option {
	return func(c *config) { c.seed.encryption = append(c.seed.encryption, keys...) }
}

// WithAsymmetricSignatureKeys seeds asymmetric signature keys.
func WithAsymmetricSignatureKeys(keys ...*aspb.AsymmetricSignatureKey) Option {
	return func(c *config) { c.seed.signature = append(c.seed.signature, keys...) }
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
