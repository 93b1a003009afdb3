package kms

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

type nativeA struct{ name string }
type nativeB struct{ n int }

func TestNativeObjects(t *testing.T) {
	var k Key
	var a *nativeA
	assert.False(t, k.As(&a), "no native kept yet")

	k.AddNative(&nativeA{"listed"})
	assert.True(t, k.As(&a))
	assert.Equal(t, "listed", a.name)
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		var k Key
		k.AddNative(a)
	}), "keeping one pointer allocates nothing")

	described := k.WithNative(nativeB{7})
	var b nativeB
	assert.True(t, described.As(&b), "a value type is found by value")
	assert.Equal(t, 7, b.n)
	assert.True(t, described.As(&a), "the first native is still kept")
	assert.False(t, k.As(&b), "WithNative leaves the original alone")

	var other *nativeB
	assert.False(t, described.As(&other), "a value kept by value is not found as a pointer")
	assert.False(t, described.As(nil))
	assert.False(t, described.As(b), "a non-pointer target is refused")

	v := KeyVersion{}.WithNative(&nativeA{"v1"})
	v.AddNative(nativeB{2})
	assert.True(t, v.As(&a))
	assert.Equal(t, "v1", a.name)
	assert.True(t, v.As(&b))
	assert.Equal(t, 2, b.n)

	// Two copies of a key with several natives each add their own.
	first, second := described.WithNative("first"), described.WithNative(3)
	var s string
	var n int
	assert.True(t, first.As(&s))
	assert.False(t, first.As(&n), "the other copy's addition is not seen")
	assert.True(t, second.As(&n))
	assert.False(t, second.As(&s))
}

// TestKeyLayout pins what the per-key CPU figures of BENCHMARKS.md rest on:
// the native objects first (filled with the listed fields, in the same
// cache lines) and Key's size, which JSON and the helpers do not grow.
func TestKeyLayout(t *testing.T) {
	assert.Zero(t, unsafe.Offsetof(Key{}.native), "Key.native must stay the first field")
	if unsafe.Sizeof(uintptr(0)) == 8 { // the figure is for 64-bit platforms
		assert.Equal(t, uintptr(624), unsafe.Sizeof(Key{}), "Key grew or shrank: re-run the per-key benchmarks and update this figure")
	}
}
