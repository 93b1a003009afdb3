package yandexkmstest

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Knobs of a broken or hostile server, to test that a client copes with
// answers the API never gives: each breaks one rule of the API on purpose.

// WithServedPageSize makes every List answer hold n items (fewer on the
// last page) whatever page_size asks: with n > 1000 the server breaks the
// API's limit, and enough items make an answer larger than a gRPC client
// accepts (4 MiB by default).
func WithServedPageSize(n int) Option { return func(c *config) { c.servedPageSize = n } }

// WithNextTokenSize makes every next page token the server hands out n
// bytes long (the API allows 100 characters): with n of 10 MiB the answer
// is larger than a gRPC client accepts. The server never accepts such a
// token back.
func WithNextTokenSize(n int) Option { return func(c *config) { c.nextTokenSize = n } }

// WithIDSuffix makes every key of a List answer carry suffix after its ID,
// on the wire as it is, even when suffix is not valid UTF-8 (which a Go
// protobuf server would refuse to send: this one writes the bytes itself,
// as a broken server would). "\x00" gives IDs with a NUL byte, "\xff" IDs
// a client cannot decode.
func WithIDSuffix(suffix string) Option { return func(c *config) { c.idSuffix = suffix } }

// hugeToken is a next page token of n bytes.
func hugeToken(n int) string { return strings.Repeat("t", n) }

// placeholder stands on the wire for an ID suffix that is not valid UTF-8,
// until rawCodec writes the suffix's bytes in its place (same length, so
// that the protobuf framing stays right).
func (c *config) placeholder() string {
	if utf8.ValidString(c.idSuffix) {
		return c.idSuffix
	}
	return strings.Repeat("\x7f", len(c.idSuffix))
}

// withIDSuffix returns copies of keys whose id field carries the suffix
// (or its placeholder).
func withIDSuffix[T proto.Message](c *config, keys []T) []T {
	if c.idSuffix == "" {
		return keys
	}
	out := make([]T, len(keys))
	for i, k := range keys {
		m := proto.Clone(k)
		r := m.ProtoReflect()
		f := r.Descriptor().Fields().ByName("id")
		r.Set(f, protoreflect.ValueOfString(r.Get(f).String()+c.placeholder()))
		out[i] = m.(T)
	}
	return out
}

// codecOption installs rawCodec when an ID suffix is not valid UTF-8.
func (c *config) codecOption() []grpc.ServerOption {
	if c.idSuffix == "" || utf8.ValidString(c.idSuffix) {
		return nil
	}
	return []grpc.ServerOption{grpc.ForceServerCodec(rawCodec{
		placeholder: []byte(c.placeholder()),
		raw:         []byte(c.idSuffix),
	})}
}

// rawCodec is the proto codec, writing raw bytes in place of a placeholder
// in every answer.
type rawCodec struct{ placeholder, raw []byte }

var _ encoding.Codec = rawCodec{}

func (r rawCodec) Marshal(v any) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("yandexkmstest: cannot marshal %T", v)
	}
	b, err := proto.Marshal(m)
	if err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(b, r.placeholder, r.raw), nil
}

func (r rawCodec) Unmarshal(data []byte, v any) error {
	m, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("yandexkmstest: cannot unmarshal into %T", v)
	}
	return proto.Unmarshal(data, m)
}

func (r rawCodec) Name() string { return "proto" }
