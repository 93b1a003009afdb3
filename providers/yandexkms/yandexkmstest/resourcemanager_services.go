package yandexkmstest

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"unicode/utf8"

	rmpb "github.com/yandex-cloud/go-genproto/yandex/cloud/resourcemanager/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type cloudService struct {
	rmpb.UnimplementedCloudServiceServer
	r *ResourceManager
}

// List returns a page of the clouds of the request's organization (every
// cloud without one), in ID order.
func (x cloudService) List(_ context.Context, req *rmpb.ListCloudsRequest) (*rmpb.ListCloudsResponse, error) {
	org := req.GetOrganizationId()
	if utf8.RuneCountInString(org) > MaxIDLength {
		return nil, invalid("organization_id", "the maximum string length is %d", MaxIDLength)
	}
	r := x.r
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := sortedIDs(r.clouds, func(c *rmpb.Cloud) bool { return org == "" || c.OrganizationId == org })
	from, to, next, err := r.page(listing{MethodCloudList, org, req.GetPageSize(), req.GetPageToken()}, req.GetFilter(), ids)
	if err != nil {
		return nil, err
	}
	resp := &rmpb.ListCloudsResponse{NextPageToken: next}
	for _, id := range ids[from:to] {
		resp.Clouds = append(resp.Clouds, r.clouds[id])
	}
	return resp, nil
}

type folderService struct {
	rmpb.UnimplementedFolderServiceServer
	r *ResourceManager
}

// List returns a page of the folders of the request's cloud, every status,
// in ID order.
func (x folderService) List(_ context.Context, req *rmpb.ListFoldersRequest) (*rmpb.ListFoldersResponse, error) {
	cloud := req.GetCloudId()
	if err := checkID("cloud_id", cloud); err != nil {
		return nil, err
	}
	r := x.r
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := sortedIDs(r.folders, func(f *rmpb.Folder) bool { return f.CloudId == cloud })
	from, to, next, err := r.page(listing{MethodFolderList, cloud, req.GetPageSize(), req.GetPageToken()}, req.GetFilter(), ids)
	if err != nil {
		return nil, err
	}
	if r.clouds[cloud] == nil || r.deniedC[cloud] {
		return nil, status.Errorf(codes.PermissionDenied, "Permission denied to resource-manager.cloud %s", cloud)
	}
	resp := &rmpb.ListFoldersResponse{NextPageToken: next}
	for _, id := range ids[from:to] {
		resp.Folders = append(resp.Folders, r.folders[id])
	}
	return resp, nil
}

// page validates the page parameters and cuts the page out of ids (sorted):
// [from, to) and the next page token, which names the last ID handed out.
func (r *ResourceManager) page(l listing, filter string, ids []string) (from, to int, next string, err error) {
	switch {
	case l.pageSize < 0 || l.pageSize > MaxPageSize:
		return 0, 0, "", invalid("page_size", "must be in range 0..%d, got %d", MaxPageSize, l.pageSize)
	case utf8.RuneCountInString(l.pageToken) > MaxResourcePageToken:
		return 0, 0, "", invalid("page_token", "the maximum string length is %d", MaxResourcePageToken)
	case utf8.RuneCountInString(filter) > MaxResourceFilter:
		return 0, 0, "", invalid("filter", "the maximum string length is %d", MaxResourceFilter)
	case filter != "":
		return 0, 0, "", status.Error(codes.Unimplemented, "yandexkmstest: filter is not implemented")
	}
	if l.pageToken != "" {
		last, ok := r.parseToken(l, l.pageToken)
		if !ok {
			return 0, 0, "", invalid("page_token", "invalid page token")
		}
		for from < len(ids) && ids[from] <= last {
			from++
		}
	}
	size := int(l.pageSize)
	if size == 0 {
		size = DefaultPageSize
	}
	to = min(from+size, len(ids))
	if to < len(ids) {
		next = r.token(l, ids[to-1])
	}
	return from, to, next, nil
}

// token makes an opaque keyset token after ID last, bound to the listing's
// method and parent by the Server's HMAC.
func (r *ResourceManager) token(l listing, last string) string {
	return base64.RawURLEncoding.EncodeToString(append([]byte(last), r.kms.mac(l, []byte(last))...))
}

func (r *ResourceManager) parseToken(l listing, tok string) (string, bool) {
	buf, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(buf) <= 16 {
		return "", false
	}
	last, mac := buf[:len(buf)-16], buf[len(buf)-16:]
	return string(last), hmac.Equal(mac, r.kms.mac(l, last))
}
