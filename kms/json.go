package kms

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The JSON of a Key and a KeyVersion (see Key.MarshalJSON) is a stable,
// documented schema, pinned by kms/testdata/key.golden.json: names are
// lowerCamel, zero fields are left out, times are RFC 3339 in UTC, the
// rotation period is a number of seconds, DetailErr is {"code","message"},
// and the native objects are not written.

// keyJSON is the wire form of a Key; its field order is the JSON's.
type keyJSON struct {
	Provider              Provider          `json:"provider,omitempty"`
	ID                    string            `json:"id,omitempty"`
	ARN                   string            `json:"arn,omitempty"`
	Region                string            `json:"region,omitempty"`
	Account               string            `json:"account,omitempty"`
	FolderID              string            `json:"folderId,omitempty"`
	CloudID               string            `json:"cloudId,omitempty"`
	Name                  string            `json:"name,omitempty"`
	Description           string            `json:"description,omitempty"`
	Kind                  KeyKind           `json:"kind,omitempty"`
	State                 KeyState          `json:"state,omitempty"`
	NativeState           string            `json:"nativeState,omitempty"`
	Usage                 KeyUsage          `json:"usage,omitempty"`
	NativeUsage           string            `json:"nativeUsage,omitempty"`
	Spec                  string            `json:"spec,omitempty"`
	Origin                string            `json:"origin,omitempty"`
	Protection            ProtectionLevel   `json:"protection,omitempty"`
	NativeProtection      string            `json:"nativeProtection,omitempty"`
	Manager               string            `json:"manager,omitempty"`
	KeyStore              string            `json:"keyStore,omitempty"`
	Enabled               bool              `json:"enabled,omitempty"`
	CreatedAt             time.Time         `json:"createdAt,omitzero"`
	DeletionAt            time.Time         `json:"deletionAt,omitzero"`
	ValidTo               time.Time         `json:"validTo,omitzero"`
	ExpirationModel       string            `json:"expirationModel,omitempty"`
	AutomaticRotation     RotationStatus    `json:"automaticRotation,omitempty"`
	RotationPeriodSeconds seconds           `json:"rotationPeriodSeconds,omitzero"`
	RotatedAt             time.Time         `json:"rotatedAt,omitzero"`
	NextRotationAt        time.Time         `json:"nextRotationAt,omitzero"`
	PrimaryVersion        string            `json:"primaryVersion,omitempty"`
	Labels                map[string]string `json:"labels,omitempty"`
	Aliases               []string          `json:"aliases,omitempty"`
	DeletionProtection    bool              `json:"deletionProtection,omitempty"`
	MultiRegion           bool              `json:"multiRegion,omitempty"`
	Policy                string            `json:"policy,omitempty"`
	Access                []Access          `json:"access,omitempty"`
	Detail                Detail            `json:"detail,omitzero"`
	DetailErr             *errorJSON        `json:"detailErr,omitempty"`
}

// errorJSON is the wire form of Key.DetailErr.
type errorJSON struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// MarshalJSON writes the key in the documented schema:
//
//	provider, id, arn, region, account, folderId, cloudId, name, description,
//	kind, state, nativeState, usage, nativeUsage, spec, origin, protection,
//	nativeProtection, manager, keyStore, enabled, createdAt, deletionAt,
//	validTo, expirationModel, automaticRotation, rotationPeriodSeconds,
//	rotatedAt, nextRotationAt, primaryVersion, labels (an object), aliases,
//	deletionProtection, multiRegion, policy (the document as a string),
//	access (objects: principal, principalType, actions, source, conditional),
//	detail ("basic" or "full"), detailErr
//
// Zero fields are left out (a DetailBasic key has no "detail"). Times are
// RFC 3339 in UTC with the fraction they have ("2024-05-01T10:00:00Z").
// rotationPeriodSeconds is a number of seconds, with a decimal fraction only
// for a period that is not whole seconds. detailErr is {"code": "...",
// "message": "..."}: code is the Code's Name ("PermissionDenied") of the
// first *Error in DetailErr's chain ("Unknown" if it holds none) and message
// is DetailErr.Error() (adapters' errors hold no credential). The native
// objects (Key.As) are not written. Strings must be valid UTF-8 to come
// back unchanged (encoding/json replaces invalid bytes).
func (k Key) MarshalJSON() ([]byte, error) {
	j := keyJSON{
		Provider: k.Provider, ID: k.ID, ARN: k.ARN, Region: k.Region, Account: k.Account,
		FolderID: k.FolderID, CloudID: k.CloudID, Name: k.Name, Description: k.Description,
		Kind: k.Kind, State: k.State, NativeState: k.NativeState, Usage: k.Usage, NativeUsage: k.NativeUsage,
		Spec: k.Spec, Origin: k.Origin, Protection: k.Protection, NativeProtection: k.NativeProtection,
		Manager: k.Manager, KeyStore: k.KeyStore, Enabled: k.Enabled,
		CreatedAt: utc(k.CreatedAt), DeletionAt: utc(k.DeletionAt), ValidTo: utc(k.ValidTo),
		ExpirationModel: k.ExpirationModel, AutomaticRotation: k.AutomaticRotation,
		RotationPeriodSeconds: seconds(k.RotationPeriod), RotatedAt: utc(k.RotatedAt),
		NextRotationAt: utc(k.NextRotationAt), PrimaryVersion: k.PrimaryVersion, Labels: k.Labels,
		Aliases: k.Aliases, DeletionProtection: k.DeletionProtection, MultiRegion: k.MultiRegion,
		Policy: k.Policy, Access: k.Access, Detail: k.Detail, DetailErr: encodeError(k.DetailErr),
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes, into a Key equal to the one
// written but for its native objects (none), times (in UTC, equal by
// time.Time.Equal), empty labels, aliases or access (nil) and DetailErr,
// which comes back as a *Error with the Code and the message: errors.Is on
// its class works and Error() returns the message. Unknown names are
// ignored, so that a newer schema stays readable.
func (k *Key) UnmarshalJSON(b []byte) error {
	var j keyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return jsonError("Key.UnmarshalJSON", err)
	}
	*k = Key{
		Provider: j.Provider, ID: j.ID, ARN: j.ARN, Region: j.Region, Account: j.Account,
		FolderID: j.FolderID, CloudID: j.CloudID, Name: j.Name, Description: j.Description,
		Kind: j.Kind, State: j.State, NativeState: j.NativeState, Usage: j.Usage, NativeUsage: j.NativeUsage,
		Spec: j.Spec, Origin: j.Origin, Protection: j.Protection, NativeProtection: j.NativeProtection,
		Manager: j.Manager, KeyStore: j.KeyStore, Enabled: j.Enabled,
		CreatedAt: j.CreatedAt, DeletionAt: j.DeletionAt, ValidTo: j.ValidTo,
		ExpirationModel: j.ExpirationModel, AutomaticRotation: j.AutomaticRotation,
		RotationPeriod: time.Duration(j.RotationPeriodSeconds), RotatedAt: j.RotatedAt,
		NextRotationAt: j.NextRotationAt, PrimaryVersion: j.PrimaryVersion, Labels: j.Labels,
		Aliases: j.Aliases, DeletionProtection: j.DeletionProtection, MultiRegion: j.MultiRegion,
		Policy: j.Policy, Access: j.Access, Detail: j.Detail, DetailErr: j.DetailErr.decode(),
	}
	return nil
}

// keyVersionJSON is the wire form of a KeyVersion.
type keyVersionJSON struct {
	Provider     Provider        `json:"provider,omitempty"`
	KeyID        string          `json:"keyId,omitempty"`
	ID           string          `json:"id,omitempty"`
	State        KeyVersionState `json:"state,omitempty"`
	NativeState  string          `json:"nativeState,omitempty"`
	Primary      bool            `json:"primary,omitempty"`
	Algorithm    string          `json:"algorithm,omitempty"`
	CreatedAt    time.Time       `json:"createdAt,omitzero"`
	DestroyAt    time.Time       `json:"destroyAt,omitzero"`
	RotationType string          `json:"rotationType,omitempty"`
	ImportState  string          `json:"importState,omitempty"`
	ValidTo      time.Time       `json:"validTo,omitzero"`
	Protection   ProtectionLevel `json:"protection,omitempty"`
}

// MarshalJSON writes the version as Key.MarshalJSON writes a key: provider,
// keyId, id, state, nativeState, primary, algorithm, createdAt, destroyAt,
// rotationType, importState, validTo, protection; zero fields left out,
// times RFC 3339 in UTC, no native objects.
func (v KeyVersion) MarshalJSON() ([]byte, error) {
	return json.Marshal(keyVersionJSON{
		Provider: v.Provider, KeyID: v.KeyID, ID: v.ID, State: v.State, NativeState: v.NativeState,
		Primary: v.Primary, Algorithm: v.Algorithm, CreatedAt: utc(v.CreatedAt), DestroyAt: utc(v.DestroyAt),
		RotationType: v.RotationType, ImportState: v.ImportState, ValidTo: utc(v.ValidTo), Protection: v.Protection,
	})
}

// UnmarshalJSON reads what MarshalJSON writes (times in UTC, no natives).
func (v *KeyVersion) UnmarshalJSON(b []byte) error {
	var j keyVersionJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return jsonError("KeyVersion.UnmarshalJSON", err)
	}
	*v = KeyVersion{
		Provider: j.Provider, KeyID: j.KeyID, ID: j.ID, State: j.State, NativeState: j.NativeState,
		Primary: j.Primary, Algorithm: j.Algorithm, CreatedAt: j.CreatedAt, DestroyAt: j.DestroyAt,
		RotationType: j.RotationType, ImportState: j.ImportState, ValidTo: j.ValidTo, Protection: j.Protection,
	}
	return nil
}

// jsonError returns err as a *Error of class ErrInvalidArgument, unless it
// is one already.
func jsonError(op string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return NewError("", op, CodeInvalidArgument, err)
}

// utc returns t in UTC, without its monotonic reading; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func encodeError(err error) *errorJSON {
	if err == nil {
		return nil
	}
	j := &errorJSON{Code: CodeUnknown, Message: err.Error()}
	var e *Error
	if errors.As(err, &e) {
		j.Code = e.Code
	}
	return j
}

func (j *errorJSON) decode() error {
	if j == nil {
		return nil
	}
	return &Error{Code: j.Code, Err: &decodedMessage{j.Message}}
}

// seconds is a duration written as a JSON number of seconds, exactly: whole
// seconds as an integer, a fraction with at most nine decimals.
type seconds time.Duration

func (s seconds) MarshalJSON() ([]byte, error) {
	d := time.Duration(s)
	sign := ""
	if d < 0 {
		if d == minDuration {
			return []byte("-9223372036.854775808"), nil
		}
		sign, d = "-", -d
	}
	whole, frac := int64(d/time.Second), int64(d%time.Second)
	out := sign + strconv.FormatInt(whole, 10)
	if frac != 0 {
		out += strings.TrimRight(fmt.Sprintf(".%09d", frac), "0")
	}
	return []byte(out), nil
}

const minDuration = time.Duration(-1 << 63)

func (s *seconds) UnmarshalJSON(b []byte) error {
	bad := func() error {
		return InvalidArgument("", "Key.UnmarshalJSON", "rotationPeriodSeconds",
			"must be a number of seconds with at most nine decimals, within ±292 years")
	}
	str := string(b)
	if str == "null" {
		return nil
	}
	neg := strings.HasPrefix(str, "-")
	str = strings.TrimPrefix(str, "-")
	wholeStr, fracStr, hasFrac := strings.Cut(str, ".")
	if wholeStr == "" || len(fracStr) > 9 || (hasFrac && fracStr == "") || strings.ContainsAny(str, "+eE") {
		return bad()
	}
	whole, err := strconv.ParseUint(wholeStr, 10, 63)
	if err != nil {
		return bad()
	}
	var frac uint64
	if hasFrac {
		if frac, err = strconv.ParseUint((fracStr + "000000000")[:9], 10, 64); err != nil {
			return bad()
		}
	}
	const maxWhole = uint64(1<<63-1) / uint64(time.Second)
	total := whole*uint64(time.Second) + frac
	switch {
	case whole > maxWhole+1, total > 1<<63, total == 1<<63 && !neg:
		return bad()
	case neg:
		*s = seconds(-int64(total-1) - 1)
	default:
		*s = seconds(total)
	}
	return nil
}
