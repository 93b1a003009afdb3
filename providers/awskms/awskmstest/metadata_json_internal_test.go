package awskmstest

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// jsonText is a string of the characters encoding/json escapes or
// passes on: controls, quotes, HTML, multi-byte, U+2028/9, invalid UTF-8.
func jsonText(r *rand.Rand) string {
	pieces := []string{"a", "Z", "0", " ", `"`, `\`, "<", ">", "&", "\b", "\f", "\n", "\r", "\t", "\x00", "\x1f", "\x7f",
		"é", "日本", "\u2028", "\u2029", "\xff", "\xe2\x80", "🔑", "/"}
	var b []byte
	for range r.IntN(12) {
		b = append(b, pieces[r.IntN(len(pieces))]...)
	}
	return string(b)
}

func randomEpoch(r *rand.Rand) *epoch {
	values := []float64{0, 1e-7, 1.5e-6, 1e21, 2.5e22, -3e-8, 1764547200.123, 1764547200, 0.001, 123456789012.5, math.SmallestNonzeroFloat64}
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return epochOf(time.UnixMilli(r.Int64N(1 << 45)))
	}
	e := epoch(values[r.IntN(len(values))])
	return &e
}

func randomStrings(r *rand.Rand) []string {
	switch r.IntN(3) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	out := make([]string, 1+r.IntN(3))
	for i := range out {
		out[i] = jsonText(r)
	}
	return out
}

func randomMetadata(r *rand.Rand) keyMetadata {
	t := func() string { return jsonText(r) }
	m := keyMetadata{
		AWSAccountID: t(), Arn: t(), CreationDate: randomEpoch(r), CurrentKeyMaterialID: t(),
		CustomKeyStoreID: t(), CustomerMasterKeySpec: t(), DeletionDate: randomEpoch(r), Description: t(),
		Enabled: r.IntN(2) == 0, EncryptionAlgorithms: randomStrings(r), ExpirationModel: t(),
		KeyAgreementAlgorithms: randomStrings(r), KeyID: t(), KeyManager: t(), KeySpec: t(), KeyState: t(),
		KeyUsage: t(), MacAlgorithms: randomStrings(r), MultiRegion: r.IntN(2) == 0, Origin: t(),
		SigningAlgorithms: randomStrings(r), ValidTo: randomEpoch(r),
	}
	if r.IntN(2) == 0 {
		d := int32(r.IntN(60) - 10)
		m.PendingDeletionWindowInDays = &d
	}
	if r.IntN(2) == 0 {
		c := &multiRegionConfig{MultiRegionKeyType: t(), PrimaryKey: multiRegionKey{t(), t()}}
		if r.IntN(3) > 0 {
			c.ReplicaKeys = make([]multiRegionKey, r.IntN(3))
			for i := range c.ReplicaKeys {
				c.ReplicaKeys[i] = multiRegionKey{t(), t()}
			}
		}
		m.MultiRegionConfiguration = c
	}
	return m
}

func TestDescribeAnswerIsWhatJSONMarshalWrites(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(m keyMetadata) {
		t.Helper()
		want, err := json.Marshal(struct {
			KeyMetadata keyMetadata `json:"KeyMetadata"`
		}{m})
		if err != nil {
			t.Fatal(err)
		}
		if got := appendDescribeAnswer(nil, &m); !bytes.Equal(got, want) {
			t.Fatalf("hand-written answer\n%s\njson.Marshal\n%s", got, want)
		}
	}
	for range 5_000 {
		check(randomMetadata(r))
	}
	check(keyMetadata{})
	// The server's own keys, of every kind it generates.
	s := New(WithGeneratedKeys(300))
	defer s.Close()
	for i := range s.cfg.keys {
		check(s.metadata(&s.cfg.keys[i]))
	}
}
