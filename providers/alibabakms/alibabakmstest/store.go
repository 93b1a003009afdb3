package alibabakmstest

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Key is a key the emulator holds, with every attribute DescribeKey reports
// plus its aliases, tags and versions.
type Key struct {
	ID          string
	Description string
	// State is Enabled, Disabled, PendingDeletion or PendingImport.
	State string
	// Spec is Aliyun_AES_256, Aliyun_SM4, RSA_2048, EC_P256, EC_P256K or EC_SM2.
	Spec string
	// Usage is ENCRYPT/DECRYPT or SIGN/VERIFY.
	Usage string
	// Protection is SOFTWARE or HSM.
	Protection string
	// Origin is Aliyun_KMS or EXTERNAL.
	Origin string
	// Creator is the account UID, or the cloud service that made the key.
	Creator string
	// CreatorType is User or Service.
	CreatorType    string
	DKMSInstanceID string
	CreatedAt      time.Time
	DeleteDate     time.Time
	// MaterialExpireTime is when imported material expires.
	MaterialExpireTime time.Time
	// AutomaticRotation is Enabled, Disabled or Suspended.
	AutomaticRotation             string
	RotationInterval              time.Duration
	LastRotationDate              time.Time
	NextRotationDate              time.Time
	DeletionProtection            bool
	DeletionProtectionDescription string
	// Aliases are full alias names such as "alias/app".
	Aliases []string
	Tags    []Tag
	// Versions are in creation order; the last one is the primary version.
	Versions []Version
	// Policy is the key policy of a key in a KMS instance (DKMSInstanceID
	// set); "" gives DefaultPolicy.
	Policy string
	// DenyDescribe makes DescribeKey (and the per-key detail calls) answer
	// 403 Forbidden.NoPermission for this key, as a RAM policy would.
	DenyDescribe bool
}

// Tag is a key tag.
type Tag struct{ Key, Value string }

// Version is a key version.
type Version struct {
	ID        string
	CreatedAt time.Time
}

// store holds the explicit keys followed by generated ones, in list order.
type store struct {
	mu        sync.RWMutex
	keys      []*Key
	byID      map[string]*Key
	byAlias   map[string]*Key
	generated int
	seed      int64
	region    string
	account   string
}

func newStore(region, account string) *store {
	return &store{byID: map[string]*Key{}, byAlias: map[string]*Key{}, region: region, account: account}
}

func (s *store) add(keys ...Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range keys {
		k := keys[i]
		s.keys = append(s.keys, &k)
		s.byID[k.ID] = &k
		for _, a := range k.Aliases {
			s.byAlias[a] = &k
		}
	}
}

func (s *store) remove(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.byID[id]
	if !ok {
		return false
	}
	delete(s.byID, id)
	for _, a := range k.Aliases {
		delete(s.byAlias, a)
	}
	for i, kk := range s.keys {
		if kk == k {
			s.keys = append(s.keys[:i:i], s.keys[i+1:]...)
			break
		}
	}
	return true
}

// aliasList is every alias of the account in list order: the explicit
// keys' aliases, then one per generated key.
type aliasList struct {
	keys, names []string
	generated   int
	s           *store
}

func (a aliasList) count() int { return len(a.names) + a.generated }

// at returns the key ID and name of alias i.
func (a aliasList) at(i int) (key, name string) {
	if i < len(a.names) {
		return a.keys[i], a.names[i]
	}
	g := a.s.generate(i - len(a.names))
	return g.ID, g.Aliases[0]
}

// aliases returns the account's aliases.
func (s *store) aliases() aliasList {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := aliasList{generated: s.generated, s: s}
	for _, k := range s.keys {
		for _, n := range k.Aliases {
			a.keys, a.names = append(a.keys, k.ID), append(a.names, n)
		}
	}
	return a
}

// count returns the number of keys.
func (s *store) count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.keys) + s.generated
}

// each calls fn for the keys in list order until fn returns false.
func (s *store) each(fn func(k *Key) bool) {
	s.mu.RLock()
	explicit := s.keys
	gen := s.generated
	s.mu.RUnlock()
	for _, k := range explicit {
		if !fn(k) {
			return
		}
	}
	for i := 0; i < gen; i++ {
		if !fn(s.generate(i)) {
			return
		}
	}
}

// page returns the keys [from, from+n) of the unfiltered list without
// walking the ones before from.
func (s *store) page(from, n int) []*Key {
	s.mu.RLock()
	explicit := s.keys
	gen := s.generated
	s.mu.RUnlock()
	var out []*Key
	for i := from; i < from+n && i < len(explicit)+gen; i++ {
		if i < len(explicit) {
			out = append(out, explicit[i])
		} else {
			out = append(out, s.generate(i-len(explicit)))
		}
	}
	return out
}

// lookup resolves a key ID, alias name or key ARN.
func (s *store) lookup(ref string) (*Key, bool) {
	if id, ok := strings.CutPrefix(ref, s.arnPrefix()); ok {
		ref = id
	} else if alias, ok := strings.CutPrefix(ref, fmt.Sprintf("acs:kms:%s:%s:", s.region, s.account)); ok && strings.HasPrefix(alias, "alias/") {
		ref = alias
	}
	s.mu.RLock()
	k, ok := s.byID[ref]
	if !ok {
		k, ok = s.byAlias[ref]
	}
	gen := s.generated
	s.mu.RUnlock()
	if ok {
		return k, true
	}
	var seed int64
	var i int
	if _, err := fmt.Sscanf(ref, generatedIDFormat, &seed, &i); err != nil {
		if _, err := fmt.Sscanf(ref, generatedAliasFormat, &seed, &i); err != nil {
			return nil, false
		}
	}
	if seed != s.seed || i < 0 || i >= gen {
		return nil, false
	}
	if g := s.generate(i); g.ID == ref || g.Aliases[0] == ref {
		return g, true
	}
	return nil, false
}

func (s *store) arnPrefix() string { return fmt.Sprintf("acs:kms:%s:%s:key/", s.region, s.account) }

func (s *store) arn(id string) string { return s.arnPrefix() + id }

func (s *store) aliasARN(alias string) string {
	return fmt.Sprintf("acs:kms:%s:%s:%s", s.region, s.account, alias)
}

const (
	generatedIDFormat    = "key-gen%d-%08d"
	generatedAliasFormat = "alias/gen%d-%d"
)

var (
	genStates = []string{"Enabled", "Enabled", "Enabled", "Disabled", "PendingDeletion", "PendingImport"}
	genSpecs  = []string{"Aliyun_AES_256", "Aliyun_AES_256", "Aliyun_SM4", "RSA_2048", "EC_P256", "EC_P256K", "EC_SM2"}
	genEpoch  = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
)

// generate returns generated key number i: deterministic, computed on
// demand so that a million keys cost no memory.
func (s *store) generate(i int) *Key {
	seed := s.seed
	n := int(seed) + i
	spec := genSpecs[n%len(genSpecs)]
	usage := "ENCRYPT/DECRYPT"
	if n%len(genSpecs) >= 3 && n%2 == 0 {
		usage = "SIGN/VERIFY"
	}
	protection := "SOFTWARE"
	if n%5 == 0 {
		protection = "HSM"
	}
	k := &Key{
		ID:                fmt.Sprintf(generatedIDFormat, seed, i),
		Description:       fmt.Sprintf("generated key %d", i),
		State:             genStates[n%len(genStates)],
		Spec:              spec,
		Usage:             usage,
		Protection:        protection,
		Origin:            "Aliyun_KMS",
		Creator:           s.account,
		CreatorType:       "User",
		CreatedAt:         genEpoch.Add(time.Duration(i) * time.Minute),
		AutomaticRotation: "Disabled",
		Aliases:           []string{fmt.Sprintf(generatedAliasFormat, seed, i)},
	}
	if k.State == "PendingImport" {
		k.Origin = "EXTERNAL"
	}
	if n%3 == 0 {
		k.CreatorType, k.Creator = "Service", "Ecs"
	}
	if k.State == "PendingDeletion" {
		k.DeleteDate = k.CreatedAt.Add(30 * 24 * time.Hour)
	}
	for v := 0; v <= n%3; v++ {
		k.Versions = append(k.Versions, Version{
			ID:        fmt.Sprintf("ver-gen%d-%08d-%d", seed, i, v),
			CreatedAt: k.CreatedAt.Add(time.Duration(v) * time.Hour),
		})
	}
	return k
}
