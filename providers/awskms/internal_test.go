package awskms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
	"github.com/multikms/multikms/providers/awskms/awskmstest"
)

func TestCutOffAnswersAreRetryable(t *testing.T) {
	for _, err := range []error{
		&smithy.DeserializationError{Err: &net.OpError{Op: "read", Net: "tcp", Err: net.ErrClosed}},
		&smithy.DeserializationError{Err: io.ErrUnexpectedEOF},
		fmt.Errorf("wrapped: %w", net.ErrClosed),
	} {
		if got := classify(err); got != kms.CodeUnavailable {
			t.Errorf("classify(%v) = %v, want unavailable", err, got)
		}
	}
	if got := classify(errors.New("something else")); got != kms.CodeUnknown {
		t.Errorf("an unknown error classified %v", got)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestMapErrorContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := mapError(ctx, OpListKeys, errors.New("whatever the SDK said")); err != context.Canceled {
		t.Fatalf("done context: got %v, want context.Canceled itself", err)
	}
	err := mapError(context.Background(), OpListKeys, &net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}})
	if !errors.Is(err, kms.ErrUnavailable) {
		t.Fatalf("a dial timeout with a live context: got %v, want ErrUnavailable", err)
	}
	if mapError(context.Background(), OpListKeys, nil) != nil {
		t.Fatal("nil error mapped to non-nil")
	}
}

func TestCheckMarkerRefusesMarkersOffTheDocumentedShape(t *testing.T) {
	for _, marker := range []string{strings.Repeat("m", MaxMarkerLen+1), "bad\u0100", "tab\t"} {
		if err := checkMarker(OpListKeys, marker); !errors.Is(err, kms.ErrInvalidCursor) {
			t.Errorf("marker %.12q: got %v, want ErrInvalidCursor", marker, err)
		}
	}
	long := strings.Repeat("\u00ff", MaxMarkerLen) // 1,024 characters, 2,048 bytes
	for _, marker := range []string{"", "ok\u00ff", long} {
		if err := checkMarker(OpListKeys, marker); err != nil {
			t.Errorf("marker %.12q: %v, want accepted (the limit counts characters)", marker, err)
		}
	}
}

func TestSetPage(t *testing.T) {
	var m *string
	var n *int32
	setPage("ok", 10, &m, &n)
	if *m != "ok" || *n != 10 {
		t.Fatalf("got %v, %v", m, n)
	}
	m, n = nil, nil
	setPage("", 0, &m, &n)
	if m != nil || n != nil {
		t.Fatalf("first page with the default size must send neither Marker nor Limit")
	}
}

func TestARNRegionAccount(t *testing.T) {
	for _, tc := range []struct{ arn, region, account string }{
		{"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "us-east-1", "111122223333"},
		{"arn:aws-cn:kms:cn-north-1:111122223333:alias/a:b", "cn-north-1", "111122223333"},
		{"arn:aws:kms:::key/x", "", ""},
		{"arn:aws:kms:us-east-1:111122223333", "", ""}, // no resource
		{"arn:aws:kms:us-east-1", "", ""},
		{"1234abcd-12ab-34cd-56ef-1234567890ab", "", ""},
		{"", "", ""},
	} {
		region, account := arnRegionAccount(tc.arn)
		assert.Equal(t, tc.region, region, tc.arn)
		assert.Equal(t, tc.account, account, tc.arn)
	}
}

func TestForgedCursorWithABadMarkerSendsNothing(t *testing.T) {
	s := awskmstest.New(awskmstest.WithGeneratedKeys(5))
	t.Cleanup(s.Close)
	l := New(kmssdk.NewFromConfig(s.Config()))
	for _, marker := range []string{"tab\t", "bad\u0100", strings.Repeat("m", MaxMarkerLen+1)} {
		// A cursor is not signed (only checked), so anyone can make one of
		// the right scope around any marker: the adapter still checks it.
		forge := pagination.ByMarker(context.Background(), func(context.Context, string, int) ([]kms.Key, string, bool, error) {
			return []kms.Key{{}}, marker, true, nil
		}, l.pageOptions(OpListKeys, OpListKeys, kms.ListOptions{}))
		for range forge.All() {
			break
		}
		_, err := pagination.Collect(l.ListKeys(context.Background(), kms.ListOptions{Cursor: forge.Cursor()}))
		assert.ErrorIs(t, err, kms.ErrInvalidCursor, "marker %.12q", marker)
	}
	assert.Zero(t, s.Requests("ListKeys"), "a bad marker never reaches the wire")
}

func TestRotationStates(t *testing.T) {
	for _, tc := range []struct {
		material types.KeyMaterialState
		imported types.ImportState
		state    kms.KeyVersionState
		primary  bool
	}{
		{types.KeyMaterialStateCurrent, "", kms.VersionEnabled, true},
		{types.KeyMaterialStateNonCurrent, "", kms.VersionEnabled, false},
		{types.KeyMaterialStatePendingRotation, "", kms.VersionPending, false},
		{types.KeyMaterialStatePendingMultiRegionImportAndRotation, "", kms.VersionPending, false},
		{types.KeyMaterialStateNonCurrent, types.ImportStatePendingImport, kms.VersionPending, false},
		{types.KeyMaterialStateCurrent, types.ImportStateImported, kms.VersionEnabled, true},
		{"SOMETHING_NEW", "", kms.VersionUnknown, false},
	} {
		v := fromRotation(&types.RotationsListEntry{KeyId: aws.String("k"), KeyMaterialId: aws.String("m"),
			KeyMaterialState: tc.material, ImportState: tc.imported})
		assert.Equal(t, tc.state, v.State, "%s/%s", tc.material, tc.imported)
		assert.Equal(t, tc.primary, v.Primary, "%s/%s", tc.material, tc.imported)
		assert.Equal(t, string(tc.material), v.NativeState)
		assert.Equal(t, string(tc.imported), v.ImportState)
	}
}

// countingReader serves n bytes of spaces and counts what was read of it.
type countingReader struct{ n, read int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n-r.read)
	for i := range p[:k] {
		p[i] = ' '
	}
	r.read += k
	return int(k), nil
}

func (r *countingReader) Close() error { return nil }

// TestAnswersAreReadNoFurtherThanTheLimit: an answer without a
// Content-Length (chunked) is read up to the limit and one byte, then
// refused; one that ends at the limit is read whole.
func TestAnswersAreReadNoFurtherThanTheLimit(t *testing.T) {
	src := &countingReader{n: 100 << 20}
	_, err := io.Copy(io.Discard, &limitedBody{rc: src, left: maxResponseBytes})
	assert.ErrorIs(t, err, errResponseTooLarge)
	assert.LessOrEqual(t, src.read, int64(maxResponseBytes+1), "bounded memory: no more is read")
	exact := &countingReader{n: maxResponseBytes}
	n, err := io.Copy(io.Discard, &limitedBody{rc: exact, left: maxResponseBytes})
	assert.NoError(t, err)
	assert.Equal(t, int64(maxResponseBytes), n)
	assert.Equal(t, kms.CodeUnknown, classify(&smithy.DeserializationError{Err: fmt.Errorf("read: %w", errResponseTooLarge)}))
}

func TestPolicyAccessShapes(t *testing.T) {
	for _, tc := range []struct {
		name, policy string
		want         []kms.Access
		bad          bool
	}{
		{"one statement as an object", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*"}}`,
			[]kms.Access{{Principal: "*", PrincipalType: "AWS", Actions: []string{"kms:*"}, Source: kms.AccessFromPolicy}}, false},
		{"NotPrincipal", `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"kms:Decrypt"}]}`,
			[]kms.Access{{Principal: "*", PrincipalType: "AWS", Actions: []string{"kms:Decrypt"}, Source: kms.AccessFromPolicy, Conditional: true}}, false},
		{"NotAction", `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"NotAction":"kms:Decrypt"}]}`,
			[]kms.Access{{Principal: "cognito-identity.amazonaws.com", PrincipalType: "Federated", Actions: []string{"*"}, Source: kms.AccessFromPolicy, Conditional: true}}, false},
		{"an empty Condition", `{"Statement":[{"Effect":"Allow","Principal":{"CanonicalUser":"abc"},"Action":["kms:Encrypt"],"Condition":{}}]}`,
			[]kms.Access{{Principal: "abc", PrincipalType: "CanonicalUser", Actions: []string{"kms:Encrypt"}, Source: kms.AccessFromPolicy}}, false},
		{"only Deny", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*"}]}`, nil, false},
		{"not JSON", `<policy/>`, nil, true},
		{"a number for a principal", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":7},"Action":"kms:*"}]}`, nil, true},
	} {
		got, err := policyAccess(tc.policy)
		assert.Equal(t, tc.bad, errors.Is(err, errBadPolicy), tc.name)
		assert.Equal(t, tc.want, got, tc.name)
	}
}
