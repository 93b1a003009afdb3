package yandexkms_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
	ycsdk "github.com/yandex-cloud/go-sdk"

	"github.com/multikms/multikms/internal/benchkit"
	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/providers/yandexkms"
	emu "github.com/multikms/multikms/providers/yandexkms/yandexkmstest"
)

// Benchmarks run only with -bench; see BENCHMARKS.md for the commands.

const perKeyKeys = 1000

// BenchmarkPerKey compares the CPU and allocations per key of ListKeys with
// the SDK's own SymmetricKeyIterator over the same emulator: one folder of
// 1000 symmetric keys, pages of 100.
func BenchmarkPerKey(b *testing.B) {
	_, sdk := setup(b, emu.WithGeneratedSymmetric(1, perKeyKeys))
	warm(b, sdk)
	ctx := context.Background()
	folder := emu.FolderID(0)
	b.Run("sdk-iterator", func(b *testing.B) {
		benchkit.PerKey(b, perKeyKeys, func() int {
			it := sdk.KMS().SymmetricKey().SymmetricKeyIterator(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: folder, PageSize: 100})
			n := 0
			for it.Next() {
				_ = it.Value()
				n++
			}
			if it.Error() != nil {
				b.Fatal(it.Error())
			}
			return n
		})
	})
	b.Run("yandexkms", func(b *testing.B) {
		l := yandexkms.New(sdk, folder, unpaced())
		benchkit.PerKey(b, perKeyKeys, func() int {
			n := 0
			for _, err := range l.ListKeys(ctx, kms.ListOptions{PageSize: 100}).All() {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			return n
		})
	})
}

// BenchmarkPerKeyPaired lists the same 1000 keys with the SDK's iterator and
// with ListKeys alternately in every iteration, measuring the process CPU
// time and heap allocations of each listing, so that both see the same
// machine load; it reports both per key and their ratios. sdk3 also lists
// the two (empty) asymmetric kinds with the SDK's iterators, as ListKeys
// does: the same requests.
func BenchmarkPerKeyPaired(b *testing.B) {
	_, sdk := setup(b, emu.WithGeneratedSymmetric(1, perKeyKeys))
	warm(b, sdk)
	ctx := context.Background()
	folder := emu.FolderID(0)
	l := yandexkms.New(sdk, folder, unpaced())
	viaSDK := func() int {
		it := sdk.KMS().SymmetricKey().SymmetricKeyIterator(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: folder, PageSize: 100})
		n := 0
		for it.Next() {
			_ = it.Value()
			n++
		}
		return n
	}
	// viaSDK3 also lists the folder's (empty) asymmetric kinds with the
	// SDK's iterators: the same requests as ListKeys sends.
	viaSDK3 := func() int {
		n := viaSDK()
		for it := sdk.KMSAsymmetricEncryption().AsymmetricEncryptionKey().AsymmetricEncryptionKeyIterator(ctx,
			&aepb.ListAsymmetricEncryptionKeysRequest{FolderId: folder, PageSize: 100}); it.Next(); {
			n++
		}
		for it := sdk.KMSAsymmetricSignature().AsymmetricSignatureKey().AsymmetricSignatureKeyIterator(ctx,
			&aspb.ListAsymmetricSignatureKeysRequest{FolderId: folder, PageSize: 100}); it.Next(); {
			n++
		}
		return n
	}
	viaLister := func() int {
		n := 0
		for _, err := range l.ListKeys(ctx, kms.ListOptions{PageSize: 100}).All() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		return n
	}
	benchkit.Paired(b, perKeyKeys,
		benchkit.Listing{Name: "lister", List: viaLister},
		benchkit.Listing{Name: "sdk", List: viaSDK},
		benchkit.Listing{Name: "sdk3", List: viaSDK3})
}

// Folders x keys of the three kinds, 10 ms a request.
const (
	manyFolders   = 200
	keysPerFolder = 100
	latency       = 10 * time.Millisecond
)

func folderIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = emu.FolderID(i)
	}
	return ids
}

// BenchmarkFolders lists 200 folders x 100 keys of the three kinds with
// 10 ms latency: through one Lister over all folders (WithFolders), through
// kms.Merge of one Lister per folder, as the sequential loop over the SDK's
// iterators a user would write, and as the bound: every folder's three
// List requests at once (one round trip per folder, folders concurrently).
func BenchmarkFolders(b *testing.B) {
	srv, sdk := setup(b, emu.WithGenerated(manyFolders, keysPerFolder), emu.WithLatency(latency))
	warm(b, sdk)
	ctx := context.Background()
	folders := folderIDs(manyFolders)
	want := manyFolders * keysPerFolder
	list := func(b *testing.B, l kms.Lister) {
		b.Helper()
		for b.Loop() {
			n := 0
			for _, err := range l.ListKeys(ctx, kms.ListOptions{}).All() {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != want {
				b.Fatal(n)
			}
		}
		requests(b, srv)
	}
	b.Run("folders-option-default", func(b *testing.B) {
		list(b, yandexkms.New(sdk, folders[0], yandexkms.WithFolders(folders[1:]...)))
	})
	b.Run("folders-option-conc64-unpaced", func(b *testing.B) {
		list(b, yandexkms.New(sdk, folders[0], yandexkms.WithFolders(folders[1:]...),
			yandexkms.WithConcurrency(64), unpaced()))
	})
	b.Run("folders-option-conc600-unpaced", func(b *testing.B) {
		list(b, yandexkms.New(sdk, folders[0], yandexkms.WithFolders(folders[1:]...),
			yandexkms.WithConcurrency(3*manyFolders), unpaced()))
	})
	b.Run("merge", func(b *testing.B) {
		listers := make([]kms.Lister, len(folders))
		for i, f := range folders {
			listers[i] = yandexkms.New(sdk, f)
		}
		list(b, kms.Merge(listers...))
	})
	b.Run("sdk-iterators-sequential", func(b *testing.B) {
		for b.Loop() {
			if n := sdkLoop(ctx, b, sdk, folders); n != want {
				b.Fatal(n)
			}
		}
		requests(b, srv)
	})
	b.Run("bound-all-at-once", func(b *testing.B) {
		for b.Loop() {
			allAtOnce(ctx, b, sdk, folders)
		}
		requests(b, srv)
	})
}

// requests reports the requests per op and resets the counts.
func requests(b *testing.B, srv *emu.Server) {
	b.ReportMetric(float64(srv.TotalRequests())/float64(b.N), "requests/op")
	srv.ResetCounts()
}

// sdkLoop is the loop a user would write with the SDK's iterators: folder
// after folder, kind after kind.
func sdkLoop(ctx context.Context, b *testing.B, sdk *ycsdk.SDK, folders []string) int {
	n := 0
	for _, f := range folders {
		s := sdk.KMS().SymmetricKey().SymmetricKeyIterator(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: f})
		for s.Next() {
			n++
		}
		e := sdk.KMSAsymmetricEncryption().AsymmetricEncryptionKey().AsymmetricEncryptionKeyIterator(ctx,
			&aepb.ListAsymmetricEncryptionKeysRequest{FolderId: f})
		for e.Next() {
			n++
		}
		g := sdk.KMSAsymmetricSignature().AsymmetricSignatureKey().AsymmetricSignatureKeyIterator(ctx,
			&aspb.ListAsymmetricSignatureKeysRequest{FolderId: f})
		for g.Next() {
			n++
		}
		if err := firstOf(s.Error(), e.Error(), g.Error()); err != nil {
			b.Fatal(err)
		}
	}
	return n
}

func firstOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// allAtOnce sends every folder's three List requests at once (each kind of
// a folder fits one page of 1000): the round-trip bound.
func allAtOnce(ctx context.Context, b *testing.B, sdk *ycsdk.SDK, folders []string) {
	var wg sync.WaitGroup
	errs := make(chan error, 3*len(folders))
	for _, f := range folders {
		wg.Add(3)
		go func() {
			defer wg.Done()
			_, err := sdk.KMS().SymmetricKey().List(ctx, &kmspb.ListSymmetricKeysRequest{FolderId: f, PageSize: 1000})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := sdk.KMSAsymmetricEncryption().AsymmetricEncryptionKey().List(ctx,
				&aepb.ListAsymmetricEncryptionKeysRequest{FolderId: f, PageSize: 1000})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := sdk.KMSAsymmetricSignature().AsymmetricSignatureKey().List(ctx,
				&aspb.ListAsymmetricSignatureKeysRequest{FolderId: f, PageSize: 1000})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeap lists the 200 x 100 keys (no latency, pages of 10) and
// samples the live heap after a GC every 2000 keys: the listing streams, so
// the heap stays flat whatever the number of keys.
func BenchmarkHeap(b *testing.B) {
	_, sdk := setup(b, emu.WithGenerated(manyFolders, keysPerFolder))
	warm(b, sdk)
	folders := folderIDs(manyFolders)
	l := yandexkms.New(sdk, folders[0], yandexkms.WithFolders(folders[1:]...), unpaced())
	before := liveHeap()
	var first, peak uint64
	for b.Loop() {
		n := 0
		for _, err := range l.ListKeys(context.Background(), kms.ListOptions{PageSize: 10}).All() {
			if err != nil {
				b.Fatal(err)
			}
			if n++; n%2000 == 0 {
				h := liveHeap()
				if first == 0 {
					first = h
				}
				peak = max(peak, h)
			}
		}
	}
	b.ReportMetric(float64(before)/1024, "before-KiB")
	b.ReportMetric(float64(first)/1024, "first-KiB")
	b.ReportMetric(float64(peak)/1024, "peak-KiB")
	b.ReportMetric(float64(peak-first)/1024, "growth-KiB")
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
