package awskmstest

import "net/http"

type aliasListEntry struct {
	AliasArn        string `json:"AliasArn"`
	AliasName       string `json:"AliasName"`
	TargetKeyID     string `json:"TargetKeyId,omitempty"`
	CreationDate    *epoch `json:"CreationDate,omitempty"`
	LastUpdatedDate *epoch `json:"LastUpdatedDate,omitempty"`
}

type listAliasesResponse struct {
	Aliases    []aliasListEntry `json:"Aliases"`
	NextMarker *string          `json:"NextMarker,omitempty"`
	Truncated  bool             `json:"Truncated"`
}

func (s *Server) listAliases(req *request) (any, *apiError) {
	entries, scope := s.aliases, OpListAliases
	if req.KeyID != nil {
		i, e := s.resolveKey(req.KeyID, false)
		if e != nil {
			return nil, e
		}
		entries, scope = nil, OpListAliases+"/"+s.cfg.keys[i].ID
		for _, a := range s.aliases {
			if a.key == i {
				entries = append(entries, a)
			}
		}
	}
	p, e := s.page(req, pageSpec{scope: scope, def: 50, maxLimit: 100}, len(entries))
	if e != nil {
		return nil, e
	}
	out := listAliasesResponse{Aliases: make([]aliasListEntry, 0, p.end-p.start), NextMarker: p.next, Truncated: p.truncated}
	for _, a := range entries[p.start:p.end] {
		k := &s.cfg.keys[a.key]
		out.Aliases = append(out.Aliases, aliasListEntry{
			AliasArn: s.aliasARN(a.name), AliasName: a.name, TargetKeyID: k.ID,
			CreationDate: epochOf(k.Created), LastUpdatedDate: epochOf(k.Created),
		})
	}
	return out, nil
}

type tagEntry struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

type listTagsResponse struct {
	Tags       []tagEntry `json:"Tags"`
	NextMarker *string    `json:"NextMarker,omitempty"`
	Truncated  bool       `json:"Truncated"`
}

func (s *Server) listResourceTags(req *request) (any, *apiError) {
	i, e := s.resolveKey(req.KeyID, false)
	if e != nil {
		return nil, e
	}
	k := &s.cfg.keys[i]
	p, e := s.page(req, pageSpec{scope: OpListResourceTags + "/" + k.ID, def: 50, maxLimit: 50}, len(k.Tags))
	if e != nil {
		return nil, e
	}
	out := listTagsResponse{Tags: make([]tagEntry, 0, p.end-p.start), NextMarker: p.next, Truncated: p.truncated}
	for _, t := range k.Tags[p.start:p.end] {
		out.Tags = append(out.Tags, tagEntry{TagKey: t.Key, TagValue: t.Value})
	}
	return out, nil
}

type rotationEntry struct {
	KeyID                  string `json:"KeyId"`
	KeyMaterialID          string `json:"KeyMaterialId,omitempty"`
	KeyMaterialDescription string `json:"KeyMaterialDescription,omitempty"`
	KeyMaterialState       string `json:"KeyMaterialState,omitempty"`
	RotationDate           *epoch `json:"RotationDate,omitempty"`
	RotationType           string `json:"RotationType,omitempty"`
	ImportState            string `json:"ImportState,omitempty"`
	ExpirationModel        string `json:"ExpirationModel,omitempty"`
	ValidTo                *epoch `json:"ValidTo,omitempty"`
}

type listRotationsResponse struct {
	Rotations  []rotationEntry `json:"Rotations"`
	NextMarker *string         `json:"NextMarker,omitempty"`
	Truncated  bool            `json:"Truncated"`
}

func (s *Server) listKeyRotations(req *request) (any, *apiError) {
	include := "ROTATIONS_ONLY"
	if req.IncludeKeyMaterial != nil {
		include = *req.IncludeKeyMaterial
	}
	if include != "ROTATIONS_ONLY" && include != "ALL_KEY_MATERIAL" {
		return nil, validation("Value '%s' at 'includeKeyMaterial' failed to satisfy constraint: Member must satisfy enum value set: [ALL_KEY_MATERIAL, ROTATIONS_ONLY]", include)
	}
	i, e := s.resolveKey(req.KeyID, false)
	if e != nil {
		return nil, e
	}
	k := &s.cfg.keys[i]
	if len(k.Materials) == 0 {
		return nil, apiErr(http.StatusBadRequest, "UnsupportedOperationException",
			"%s key does not support rotation (KeySpec %s, Origin %s)", s.keyARN(k.ID), k.Spec, k.Origin)
	}
	materials := k.Materials
	if include == "ROTATIONS_ONLY" {
		materials = nil
		for _, m := range k.Materials {
			if m.RotationType != "" {
				materials = append(materials, m)
			}
		}
	}
	p, e := s.page(req, pageSpec{scope: OpListKeyRotations + "/" + include + "/" + k.ID, def: 100, maxLimit: 1000}, len(materials))
	if e != nil {
		return nil, e
	}
	out := listRotationsResponse{Rotations: make([]rotationEntry, 0, p.end-p.start), NextMarker: p.next, Truncated: p.truncated}
	for _, m := range materials[p.start:p.end] {
		out.Rotations = append(out.Rotations, rotationEntry{
			KeyID: k.ID, KeyMaterialID: m.ID, KeyMaterialDescription: m.Description, KeyMaterialState: m.State,
			RotationDate: epochOf(m.RotationDate), RotationType: m.RotationType, ImportState: m.ImportState,
			ExpirationModel: m.ExpirationModel, ValidTo: epochOf(m.ValidTo),
		})
	}
	return out, nil
}
