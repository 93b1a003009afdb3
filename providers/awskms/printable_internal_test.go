package awskms

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// printableByteByByte is the byte loop printableASCII replaces: the oracle.
func printableByteByByte(s string) bool {
	if len(s) < 1 || len(s) > MaxKeyRefLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// TestPrintableASCIIMatchesByteLoop checks the eight-bytes-at-a-time test
// against the byte loop: every single byte value at every position of IDs
// of 1 to 40 bytes, then random strings of bytes near the bounds.
func TestPrintableASCIIMatchesByteLoop(t *testing.T) {
	id := "1234abcd-12ab-34cd-56ef-1234567890ab~!" // 38 printable bytes
	for n := 1; n <= len(id); n++ {
		for pos := range n {
			for c := range 256 {
				b := []byte(id[:n])
				b[pos] = byte(c)
				if s := string(b); printableASCII(s) != printableByteByByte(s) {
					t.Fatalf("printableASCII(%q) = %v", s, printableASCII(s))
				}
			}
		}
	}
	near := []byte{0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0xfe, 0xff}
	r := rand.New(rand.NewPCG(7, 8))
	for range 100_000 {
		b := make([]byte, 1+r.IntN(40))
		for j := range b {
			b[j] = near[r.IntN(len(near))]
		}
		if s := string(b); printableASCII(s) != printableByteByByte(s) {
			t.Fatalf("printableASCII(%q) = %v", s, printableASCII(s))
		}
	}
	for _, s := range []string{"", strings.Repeat("a", MaxKeyRefLen), strings.Repeat("a", MaxKeyRefLen+1)} {
		if printableASCII(s) != printableByteByByte(s) {
			t.Fatalf("printableASCII of %d bytes = %v", len(s), printableASCII(s))
		}
	}
}
