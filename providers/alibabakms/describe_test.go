package alibabakms_test

import (
	"errors"
	"slices"
	"testing"

	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/kms/kmstest"
	emu "github.com/multikms/multikms/providers/alibabakms/alibabakmstest"
)

func TestDescribeKeyEveryField(t *testing.T) {
	s, l := demo(t)
	for _, k := range emu.DemoKeys(emu.DefaultAccount) {
		got, err := l.DescribeKey(bg, k.ID)
		if err != nil {
			t.Fatalf("%s: %v", k.ID, err)
		}
		sameKey(t, got, wantKey(s, k))
		var m alikms.KeyMetadata
		if !got.As(&m) || m.KeyId != k.ID || m.KeyState != k.State {
			t.Errorf("%s: native KeyMetadata %+v", k.ID, m)
		}
	}
}

func TestDescribeKeyReferences(t *testing.T) {
	s, l := demo(t)
	id := "key-hzz630494460001"
	aliasARN := "acs:kms:" + s.Region() + ":" + s.Account() + ":alias/app-data"
	for _, ref := range []string{id, "alias/app-data", s.ARN(id), aliasARN} {
		k, err := l.DescribeKey(bg, ref)
		if err != nil || k.ID != id || !slices.Equal(k.Aliases, []string{"alias/app-data", "alias/app-data-backup"}) ||
			k.Labels != nil || k.RotationPeriod.Hours() != 365*24 {
			t.Errorf("%s: %+v %v", ref, k, err)
		}
	}
	_, err := l.DescribeKey(bg, "alias/none")
	if !errors.Is(err, kms.ErrNotFound) {
		t.Errorf("missing alias: %v", err)
	}
}

// TestDescribeKeyWithAliasesDenied: a denied ListAliasesByKeyId keeps the
// described key, with the reason in DetailErr; DescribeKey sends no
// ListResourceTags.
func TestDescribeKeyWithAliasesDenied(t *testing.T) {
	s, l := demo(t)
	id := "key-hzz630494460001"
	s.FailNext("ListAliasesByKeyId", 1, 403, "Forbidden.RAM")
	k, err := l.DescribeKey(bg, id)
	if err != nil || k.ID != id || k.State != kms.StateEnabled || k.Detail != kms.DetailFull {
		t.Fatalf("aliases denied: %+v, %v; want the described key", k, err)
	}
	if !errors.Is(k.DetailErr, kms.ErrPermissionDenied) {
		t.Errorf("aliases denied: DetailErr %v, want ErrPermissionDenied", k.DetailErr)
	}
	if k, err := l.DescribeKey(bg, id); err != nil || k.DetailErr != nil || len(k.Aliases) != 2 {
		t.Errorf("nothing denied: %v, %v, %v", err, k.DetailErr, k.Aliases)
	}
	if n := s.Count("ListResourceTags"); n != 0 {
		t.Errorf("DescribeKey sent %d ListResourceTags", n)
	}
}

func TestKeyVersions(t *testing.T) {
	_, l := demo(t)
	for _, k := range emu.DemoKeys(emu.DefaultAccount) {
		for _, size := range []int{0, 1, 2, 100} {
			vs, err := kmstest.Collect(l.ListKeyVersions(bg, k.ID, kms.ListOptions{PageSize: size}))
			if err != nil {
				t.Fatal(err)
			}
			want := wantVersions(k)
			if len(vs) != len(want) {
				t.Fatalf("%s size %d: %d versions, want %d", k.ID, size, len(vs), len(want))
			}
			for i := range vs {
				var native alikms.KeyVersion
				if !vs[i].As(&native) || native.KeyVersionId != want[i].ID {
					t.Errorf("native %+v", native)
				}
				if vs[i].ID != want[i].ID || !vs[i].CreatedAt.Equal(want[i].CreatedAt) {
					t.Errorf("%s: %+v, want %+v", k.ID, vs[i], want[i])
				}
			}
		}
	}
}

func TestKeyVersionFields(t *testing.T) {
	s, l := demo(t)
	k := emu.DemoKeys(emu.DefaultAccount)[1] // three versions, HSM
	vs, err := kmstest.Collect(l.ListKeyVersions(bg, s.ARN(k.ID), kms.ListOptions{PageSize: 2}))
	if err != nil {
		t.Fatal(err)
	}
	want := wantVersions(k)
	for i := range want {
		g, w := vs[i], want[i]
		if g.KeyID != w.KeyID || g.ID != w.ID || g.Primary != w.Primary || g.Algorithm != w.Algorithm ||
			g.Protection != w.Protection || !g.CreatedAt.Equal(w.CreatedAt) || g.Provider != w.Provider {
			t.Errorf("version %d: %+v, want %+v", i, g, w)
		}
	}
	v, err := l.DescribeKeyVersion(bg, "alias/dkms", want[2].ID)
	if err != nil || v.ID != want[2].ID || !v.Primary || v.KeyID != k.ID {
		t.Fatalf("%+v %v", v, err)
	}
	if _, err := l.DescribeKeyVersion(bg, k.ID, "nope"); !errors.Is(err, kms.ErrNotFound) {
		t.Fatalf("missing version: %v", err)
	}
	if _, err := kmstest.Collect(l.ListKeyVersions(bg, "key-missing", kms.ListOptions{})); !errors.Is(err, kms.ErrNotFound) {
		t.Fatalf("missing key: %v", err)
	}
}
