package awskmstest

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// The DescribeKey answer is written by hand, without reflection: the same
// bytes as json.Marshal of struct{KeyMetadata keyMetadata} (the field
// order, omitempty and escaping of encoding/json; metadata_json_test.go
// compares the two on random metadata).

// appendDescribeAnswer appends {"KeyMetadata":{...}} to b.
func appendDescribeAnswer(b []byte, m *keyMetadata) []byte {
	b = append(b, `{"KeyMetadata":{"AWSAccountId":`...)
	b = appendJSONString(b, m.AWSAccountID)
	b = appendField(b, "Arn", m.Arn, false)
	b = appendEpoch(b, "CreationDate", m.CreationDate)
	b = appendField(b, "CurrentKeyMaterialId", m.CurrentKeyMaterialID, true)
	b = appendField(b, "CustomKeyStoreId", m.CustomKeyStoreID, true)
	b = appendField(b, "CustomerMasterKeySpec", m.CustomerMasterKeySpec, true)
	b = appendEpoch(b, "DeletionDate", m.DeletionDate)
	b = appendField(b, "Description", m.Description, false)
	b = appendBool(b, "Enabled", m.Enabled)
	b = appendStrings(b, "EncryptionAlgorithms", m.EncryptionAlgorithms)
	b = appendField(b, "ExpirationModel", m.ExpirationModel, true)
	b = appendStrings(b, "KeyAgreementAlgorithms", m.KeyAgreementAlgorithms)
	b = appendField(b, "KeyId", m.KeyID, false)
	b = appendField(b, "KeyManager", m.KeyManager, true)
	b = appendField(b, "KeySpec", m.KeySpec, true)
	b = appendField(b, "KeyState", m.KeyState, true)
	b = appendField(b, "KeyUsage", m.KeyUsage, true)
	b = appendStrings(b, "MacAlgorithms", m.MacAlgorithms)
	b = appendBool(b, "MultiRegion", m.MultiRegion)
	if c := m.MultiRegionConfiguration; c != nil {
		b = append(b, `,"MultiRegionConfiguration":{"MultiRegionKeyType":`...)
		b = appendJSONString(b, c.MultiRegionKeyType)
		b = append(b, `,"PrimaryKey":`...)
		b = appendRegionKey(b, c.PrimaryKey)
		b = append(b, `,"ReplicaKeys":`...)
		if c.ReplicaKeys == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, k := range c.ReplicaKeys {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendRegionKey(b, k)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = appendField(b, "Origin", m.Origin, true)
	if d := m.PendingDeletionWindowInDays; d != nil {
		b = append(b, `,"PendingDeletionWindowInDays":`...)
		b = strconv.AppendInt(b, int64(*d), 10)
	}
	b = appendStrings(b, "SigningAlgorithms", m.SigningAlgorithms)
	b = appendEpoch(b, "ValidTo", m.ValidTo)
	return append(b, "}}"...)
}

func appendRegionKey(b []byte, k multiRegionKey) []byte {
	b = append(b, `{"Arn":`...)
	b = appendJSONString(b, k.Arn)
	b = append(b, `,"Region":`...)
	b = appendJSONString(b, k.Region)
	return append(b, '}')
}

// appendField appends ,"name":"v" (nothing for an empty v if omitEmpty).
func appendField(b []byte, name, v string, omitEmpty bool) []byte {
	if omitEmpty && v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, v)
}

func appendBool(b []byte, name string, v bool) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return strconv.AppendBool(b, v)
}

// appendStrings appends ,"name":[...] (nothing for an empty list: omitempty).
func appendStrings(b []byte, name string, v []string) []byte {
	if len(v) == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':', '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendEpoch appends ,"name":seconds as encoding/json writes a float64
// (nothing for nil: omitempty). Timestamps are finite.
func appendEpoch(b []byte, name string, e *epoch) []byte {
	if e == nil {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	f := float64(*e)
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // e-09 becomes e-9
		b = b[:n-1]
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json does: <, > and &
// escaped, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
