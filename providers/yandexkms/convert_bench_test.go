package yandexkms

import (
	"context"
	"testing"
	"time"

	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// BenchmarkConvert measures the mapping of a page of 100 symmetric keys.
func BenchmarkConvert(b *testing.B) {
	now := timestamppb.New(time.Now())
	v := &kmspb.SymmetricKeyVersion{Id: "v", KeyId: "k", Status: kmspb.SymmetricKeyVersion_ACTIVE, Algorithm: kmspb.SymmetricAlgorithm_AES_256, CreatedAt: now, Primary: true}
	keys := make([]*kmspb.SymmetricKey, 100)
	for i := range keys {
		keys[i] = &kmspb.SymmetricKey{Id: "abj", FolderId: "b1g", CreatedAt: now, Name: "n", Labels: map[string]string{"a": "b"},
			Status: kmspb.SymmetricKey_ACTIVE, PrimaryVersion: v, DefaultAlgorithm: kmspb.SymmetricAlgorithm_AES_256,
			RotatedAt: now, RotationPeriod: durationpb.New(time.Hour)}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = convert(context.Background(), keys, fromSymmetric)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/key")
}
