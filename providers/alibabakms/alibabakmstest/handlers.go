package alibabakmstest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The JSON shapes follow the official Go SDK's response types: lists are
// nested one level (Keys.Key[], KeyVersions.KeyVersion[], Aliases.Alias[],
// Tags.Tag[]), as the RPC API answers in JSON.

type base struct {
	RequestID string `json:"RequestId"`
}

func (b *base) setRequestID(id string) { b.RequestID = id }

type paged struct {
	base
	PageNumber int `json:"PageNumber"`
	PageSize   int `json:"PageSize"`
	TotalCount int `json:"TotalCount"`
}

type keyEntry struct {
	KeyID  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

type listKeysResponse struct {
	paged
	Keys struct {
		Key []keyEntry `json:"Key"`
	} `json:"Keys"`
}

type keyMetadata struct {
	NextRotationDate              string `json:"NextRotationDate"`
	ProtectionLevel               string `json:"ProtectionLevel"`
	KeySpec                       string `json:"KeySpec"`
	DeleteDate                    string `json:"DeleteDate"`
	KeyUsage                      string `json:"KeyUsage"`
	AutomaticRotation             string `json:"AutomaticRotation"`
	DKMSInstanceID                string `json:"DKMSInstanceId"`
	LastRotationDate              string `json:"LastRotationDate"`
	RotationInterval              string `json:"RotationInterval"`
	MaterialExpireTime            string `json:"MaterialExpireTime"`
	PrimaryKeyVersion             string `json:"PrimaryKeyVersion"`
	DeletionProtection            string `json:"DeletionProtection"`
	Arn                           string `json:"Arn"`
	KeyState                      string `json:"KeyState"`
	CreationDate                  string `json:"CreationDate"`
	Creator                       string `json:"Creator"`
	Origin                        string `json:"Origin"`
	KeyID                         string `json:"KeyId"`
	Description                   string `json:"Description"`
	DeletionProtectionDescription string `json:"DeletionProtectionDescription"`
}

type describeKeyResponse struct {
	base
	KeyMetadata keyMetadata `json:"KeyMetadata"`
}

type versionEntry struct {
	KeyID        string `json:"KeyId"`
	KeyVersionID string `json:"KeyVersionId"`
	CreationDate string `json:"CreationDate"`
}

type listKeyVersionsResponse struct {
	paged
	KeyVersions struct {
		KeyVersion []versionEntry `json:"KeyVersion"`
	} `json:"KeyVersions"`
}

type describeKeyVersionResponse struct {
	base
	KeyVersion versionEntry `json:"KeyVersion"`
}

type aliasEntry struct {
	KeyID     string `json:"KeyId"`
	AliasName string `json:"AliasName"`
	AliasArn  string `json:"AliasArn"`
}

type listAliasesResponse struct {
	paged
	Aliases struct {
		Alias []aliasEntry `json:"Alias"`
	} `json:"Aliases"`
}

type tagEntry struct {
	KeyID    string `json:"KeyId"`
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

type listTagsResponse struct {
	base
	Tags struct {
		Tag []tagEntry `json:"Tag"`
	} `json:"Tags"`
}

// pageRange is a parameter's accepted range and default.
type pageRange struct{ def, min, max int }

var (
	keysPageSize     = pageRange{10, 1, 100}
	versionsPageSize = pageRange{10, 0, 101} // as the ListKeyVersions reference says; 0 means the default
	aliasesPageSize  = pageRange{10, 1, 100}
	pageNumberRange  = pageRange{1, 1, 1 << 30}
)

func intParam(f url.Values, name string, r pageRange, required bool) (int, *apiError) {
	s := f.Get(name)
	if s == "" {
		if required {
			return 0, errInvalidParameter("%s is mandatory for this action.", name)
		}
		return r.def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < r.min || n > r.max {
		return 0, errInvalidParameter("%s must be an integer from %d to %d.", name, r.min, r.max)
	}
	if n == 0 {
		n = r.def
	}
	return n, nil
}

func (s *Server) dispatch(action string, call int, r *http.Request) (any, *apiError) {
	f := r.Form
	switch action {
	case "ListKeys":
		return s.listKeys(f, call)
	case "DescribeKey":
		return s.describeKey(f)
	case "ListKeyVersions":
		return s.listKeyVersions(f, call)
	case "DescribeKeyVersion":
		return s.describeKeyVersion(f)
	case "ListAliasesByKeyId":
		return s.listAliases(f, call)
	case "ListResourceTags":
		return s.listTags(f)
	case "ListAliases":
		return s.listAllAliases(f, call)
	case "GetKeyPolicy":
		return s.getKeyPolicy(f)
	}
	return nil, &apiError{http.StatusNotFound, "InvalidAction.NotFound", fmt.Sprintf("Specified api %q is not found.", action)}
}

func (s *Server) reportTotal(action string, call, actual int) int {
	if s.total != nil {
		return s.total(action, call, actual)
	}
	return actual
}

func (s *Server) listKeys(f url.Values, call int) (any, *apiError) {
	size, e := intParam(f, "PageSize", keysPageSize, false)
	if e != nil {
		return nil, e
	}
	num, e := intParam(f, "PageNumber", pageNumberRange, false)
	if e != nil {
		return nil, e
	}
	filters, err := ParseFilters(f.Get("Filters"))
	if err != nil {
		return nil, errInvalidParameter("%v", err)
	}
	from := (num - 1) * size
	var keys []*Key
	total := 0
	if len(filters) == 0 {
		total = s.store.count()
		keys = s.store.page(from, size)
	} else {
		s.store.each(func(k *Key) bool {
			if filters.Match(k) {
				if total >= from && total < from+size {
					keys = append(keys, k)
				}
				total++
			}
			return true
		})
	}
	resp := &listKeysResponse{paged: paged{PageNumber: num, PageSize: size, TotalCount: s.reportTotal("ListKeys", call, total)}}
	resp.Keys.Key = make([]keyEntry, 0, len(keys))
	for _, k := range keys {
		resp.Keys.Key = append(resp.Keys.Key, keyEntry{KeyID: k.ID, KeyArn: s.store.arn(k.ID)})
	}
	return resp, nil
}

// key resolves the KeyId parameter for a per-key action.
func (s *Server) key(f url.Values) (*Key, *apiError) {
	ref := f.Get("KeyId")
	if ref == "" {
		return nil, errInvalidParameter("KeyId is mandatory for this action.")
	}
	k, ok := s.store.lookup(ref)
	if !ok {
		return nil, &apiError{http.StatusNotFound, "Forbidden.KeyNotFound", "The specified Key is not found."}
	}
	if k.DenyDescribe {
		return nil, &apiError{http.StatusForbidden, "Forbidden.NoPermission", "This operation is forbidden by permission system."}
	}
	return k, nil
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

func enabled(b bool) string {
	if b {
		return "Enabled"
	}
	return "Disabled"
}

func (s *Server) describeKey(f url.Values) (any, *apiError) {
	k, e := s.key(f)
	if e != nil {
		return nil, e
	}
	m := keyMetadata{
		NextRotationDate: date(k.NextRotationDate), ProtectionLevel: k.Protection, KeySpec: k.Spec,
		DeleteDate: date(k.DeleteDate), KeyUsage: k.Usage, AutomaticRotation: k.AutomaticRotation,
		DKMSInstanceID: k.DKMSInstanceID, LastRotationDate: date(k.LastRotationDate),
		MaterialExpireTime: date(k.MaterialExpireTime), DeletionProtection: enabled(k.DeletionProtection),
		Arn: s.store.arn(k.ID), KeyState: k.State, CreationDate: date(k.CreatedAt), Creator: k.Creator,
		Origin: k.Origin, KeyID: k.ID, Description: k.Description,
		DeletionProtectionDescription: k.DeletionProtectionDescription,
	}
	if k.RotationInterval > 0 {
		m.RotationInterval = fmt.Sprintf("%ds", int64(k.RotationInterval/time.Second))
	}
	if n := len(k.Versions); n > 0 {
		m.PrimaryKeyVersion = k.Versions[n-1].ID
	}
	return &describeKeyResponse{KeyMetadata: m}, nil
}

// keyPage resolves the KeyId and the page parameters (PageNumber, which
// may be required, and PageSize within size) of a per-key listing.
func (s *Server) keyPage(f url.Values, size pageRange, numRequired bool) (*Key, int, int, *apiError) {
	k, e := s.key(f)
	if e != nil {
		return nil, 0, 0, e
	}
	num, e := intParam(f, "PageNumber", pageNumberRange, numRequired)
	if e != nil {
		return nil, 0, 0, e
	}
	n, e := intParam(f, "PageSize", size, false)
	return k, num, n, e
}

func (s *Server) listKeyVersions(f url.Values, call int) (any, *apiError) {
	k, num, size, e := s.keyPage(f, versionsPageSize, true)
	if e != nil {
		return nil, e
	}
	resp := &listKeyVersionsResponse{paged: paged{PageNumber: num, PageSize: size,
		TotalCount: s.reportTotal("ListKeyVersions", call, len(k.Versions))}}
	resp.KeyVersions.KeyVersion = []versionEntry{}
	for _, v := range window(k.Versions, num, size) {
		resp.KeyVersions.KeyVersion = append(resp.KeyVersions.KeyVersion, versionEntry{k.ID, v.ID, date(v.CreatedAt)})
	}
	return resp, nil
}

// window returns page num (from 1) of size items of all.
func window[T any](all []T, num, size int) []T {
	from := (num - 1) * size
	if from >= len(all) {
		return nil
	}
	return all[from:min(from+size, len(all))]
}

func (s *Server) describeKeyVersion(f url.Values) (any, *apiError) {
	k, e := s.key(f)
	if e != nil {
		return nil, e
	}
	id := f.Get("KeyVersionId")
	if id == "" {
		return nil, errInvalidParameter("KeyVersionId is mandatory for this action.")
	}
	for _, v := range k.Versions {
		if v.ID == id {
			return &describeKeyVersionResponse{KeyVersion: versionEntry{k.ID, v.ID, date(v.CreatedAt)}}, nil
		}
	}
	return nil, &apiError{http.StatusNotFound, "Forbidden.ResourceNotFound", "The specified key version is not found."}
}

func (s *Server) listAliases(f url.Values, call int) (any, *apiError) {
	k, num, size, e := s.keyPage(f, aliasesPageSize, false)
	if e != nil {
		return nil, e
	}
	resp := &listAliasesResponse{paged: paged{PageNumber: num, PageSize: size,
		TotalCount: s.reportTotal("ListAliasesByKeyId", call, len(k.Aliases))}}
	resp.Aliases.Alias = []aliasEntry{}
	for _, a := range window(k.Aliases, num, size) {
		resp.Aliases.Alias = append(resp.Aliases.Alias, aliasEntry{k.ID, a, s.store.aliasARN(a)})
	}
	return resp, nil
}

// listAllAliases answers ListAliases: every alias of the account, key by
// key in list order.
func (s *Server) listAllAliases(f url.Values, call int) (any, *apiError) {
	num, e := intParam(f, "PageNumber", pageNumberRange, false)
	if e != nil {
		return nil, e
	}
	size, e := intParam(f, "PageSize", aliasesPageSize, false)
	if e != nil {
		return nil, e
	}
	all := s.store.aliases()
	resp := &listAliasesResponse{paged: paged{PageNumber: num, PageSize: size,
		TotalCount: s.reportTotal("ListAliases", call, all.count())}}
	resp.Aliases.Alias = []aliasEntry{}
	from := (num - 1) * size
	for i := from; i < from+size && i < all.count(); i++ {
		key, name := all.at(i)
		resp.Aliases.Alias = append(resp.Aliases.Alias, aliasEntry{key, name, s.store.aliasARN(name)})
	}
	return resp, nil
}

type keyPolicyResponse struct {
	base
	Policy string `json:"Policy"`
}

// getKeyPolicy answers GetKeyPolicy: the policy of a key in a KMS instance
// (PolicyName default); a key outside one has none.
func (s *Server) getKeyPolicy(f url.Values) (any, *apiError) {
	k, e := s.key(f)
	if e != nil {
		return nil, e
	}
	if name := f.Get("PolicyName"); name != "default" {
		return nil, errInvalidParameter("PolicyName must be default.")
	}
	if k.DKMSInstanceID == "" {
		return nil, &apiError{http.StatusBadRequest, "UnsupportedOperation", "The key is not in a KMS instance: it has no key policy."}
	}
	policy := k.Policy
	if policy == "" {
		policy = DefaultPolicy(s.store.account)
	}
	return &keyPolicyResponse{Policy: policy}, nil
}

func (s *Server) listTags(f url.Values) (any, *apiError) {
	k, e := s.key(f)
	if e != nil {
		return nil, e
	}
	resp := &listTagsResponse{}
	resp.Tags.Tag = []tagEntry{}
	for _, t := range k.Tags {
		resp.Tags.Tag = append(resp.Tags.Tag, tagEntry{k.ID, t.Key, t.Value})
	}
	return resp, nil
}
