package yandexkmstest

import (
	"context"
	"fmt"
	"net"
	"sort"
	"sync"

	"github.com/yandex-cloud/go-genproto/yandex/cloud/endpoint"
	kmspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1"
	aepb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricencryption"
	aspb "github.com/yandex-cloud/go-genproto/yandex/cloud/kms/v1/asymmetricsignature"
	rmpb "github.com/yandex-cloud/go-genproto/yandex/cloud/resourcemanager/v1"
	ycsdk "github.com/yandex-cloud/go-sdk"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Full gRPC method names of the Resource Manager calls a ResourceManager
// serves, as its Requests counts them.
const (
	MethodCloudList  = rmpb.CloudService_List_FullMethodName
	MethodFolderList = rmpb.FolderService_List_FullMethodName
)

// Limits of the Resource Manager API reference (ListCloudsRequest,
// ListFoldersRequest): page_size 0..1000 (0 means 100), page_token and
// filter at most 2000 and 1000 characters, cloud_id and organization_id at
// most 50.
const (
	MaxResourcePageToken = 2000
	MaxResourceFilter    = 1000
)

// ResourceManager is a Yandex Cloud resource hierarchy (organizations,
// clouds, folders) served beside a Server: its own gRPC server on
// 127.0.0.1 answering ResourceManager CloudService.List and
// FolderService.List, the SDK's endpoint discovery (every service at its
// own address) and, for the KMS services, the Server's own handlers over
// the Server's keys (counted, authenticated, failed, throttled and delayed
// by the Server's knobs, Server.Requests counting them). Point the SDK at
// the ResourceManager (SDKConfig, URL) and the whole cloud is reachable
// through the real SDK: sdk.ResourceManager() and sdk.KMS() alike.
//
// What it checks, in this order, as the cloud does: the Server's token
// (UNAUTHENTICATED otherwise), failures queued with FailNext, then the
// request: cloud_id required, IDs at most 50 characters, page_size 0..1000,
// page_token at most 2000 characters and one it issued for this very
// listing, filter at most 1000 characters (a non-empty filter is not
// implemented). Folders and clouds are listed in ID order, pages cut by
// keyset tokens, so that a folder added or removed while a caller pages
// neither shifts nor repeats the others. Folders of every status are
// listed, each with its Status (ACTIVE, DELETING, PENDING_DELETION).
//
// Knobs: DenyCloud and AllowCloud (FolderService.List of the cloud answers
// PERMISSION_DENIED, as for a cloud the caller may not see into; the
// cloud is still listed by CloudService.List), DenyFolder and AllowFolder (every KMS List
// of the folder answers PERMISSION_DENIED), AddFolder, RemoveFolder (KMS
// calls of a removed folder are denied too) and
// SetFolderStatus at run time (a fleet that changes between listings),
// FailFolder (a folder failing part-way, then mending), and request counts
// per method and per folder (Requests, FolderRequests, ResetCounts).
type ResourceManager struct {
	kms  *Server
	own  bool // Close closes kms too
	addr string
	grpc *grpc.Server
	done chan struct{}

	mu       sync.Mutex
	clouds   map[string]*rmpb.Cloud
	folders  map[string]*rmpb.Folder
	deniedC  map[string]bool
	deniedF  map[string]bool
	removed  map[string]bool // RemoveFolder's folders: their KMS calls are denied
	failF    map[string]*folderFault
	perF     map[string]int64
	counts   map[string]int64
	failures failureQueue
}

// ResourceOption configures a ResourceManager (StartResourceManager).
type ResourceOption func(*ResourceManager)

// WithCloud adds cloud cloudID of organization orgID ("" for none) with
// ACTIVE folders folderIDs.
func WithCloud(orgID, cloudID string, folderIDs ...string) ResourceOption {
	return func(r *ResourceManager) {
		r.clouds[cloudID] = &rmpb.Cloud{Id: cloudID, OrganizationId: orgID, Name: "cloud-" + cloudID}
		for _, f := range folderIDs {
			r.folders[f] = &rmpb.Folder{Id: f, CloudId: cloudID, Name: "folder-" + f, Status: rmpb.Folder_ACTIVE}
		}
	}
}

// WithFolder adds folder f as it is (its CloudId names its cloud, which
// WithCloud adds).
func WithFolder(f *rmpb.Folder) ResourceOption {
	return func(r *ResourceManager) { r.folders[f.GetId()] = f }
}

// StartResourceManager starts a ResourceManager beside kms (not nil),
// which it does not close.
func StartResourceManager(kms *Server, opts ...ResourceOption) (*ResourceManager, error) {
	if kms == nil {
		return nil, fmt.Errorf("yandexkmstest: StartResourceManager needs a Server")
	}
	r := &ResourceManager{
		kms: kms, done: make(chan struct{}),
		clouds: map[string]*rmpb.Cloud{}, folders: map[string]*rmpb.Folder{},
		deniedC: map[string]bool{}, deniedF: map[string]bool{}, removed: map[string]bool{}, counts: map[string]int64{},
		failF: map[string]*folderFault{}, perF: map[string]int64{},
	}
	for _, o := range opts {
		o(r)
	}
	for id, f := range r.folders {
		if r.clouds[f.GetCloudId()] == nil {
			return nil, fmt.Errorf("yandexkmstest: folder %q names cloud %q, which no WithCloud adds", id, f.GetCloudId())
		}
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("yandexkmstest: %w", err)
	}
	r.addr = lis.Addr().String()
	r.grpc = grpc.NewServer(grpc.UnaryInterceptor(r.intercept))
	endpoint.RegisterApiEndpointServiceServer(r.grpc, endpointService{s: &Server{addr: r.addr}})
	kmspb.RegisterSymmetricKeyServiceServer(r.grpc, symmetricService{s: kms})
	aepb.RegisterAsymmetricEncryptionKeyServiceServer(r.grpc, encryptionService{s: kms})
	aspb.RegisterAsymmetricSignatureKeyServiceServer(r.grpc, signatureService{s: kms})
	rmpb.RegisterCloudServiceServer(r.grpc, cloudService{r: r})
	rmpb.RegisterFolderServiceServer(r.grpc, folderService{r: r})
	go func() {
		defer close(r.done)
		_ = r.grpc.Serve(lis)
	}()
	return r, nil
}

// KMS returns the Server whose keys the ResourceManager serves.
func (r *ResourceManager) KMS() *Server { return r.kms }

// Addr returns the host:port the ResourceManager listens on.
func (r *ResourceManager) Addr() string { return r.addr }

// URL returns the ResourceManager's endpoint as a full URL,
// http://127.0.0.1:<port>, for yandexkms.WithEndpoint and yandexkms:// URLs.
func (r *ResourceManager) URL() string { return "http://" + r.addr }

// SDKConfig returns an SDK configuration for the ResourceManager: its
// address in plain text, the Server's token, and no blocking dial.
func (r *ResourceManager) SDKConfig() ycsdk.Config {
	c := r.kms.SDKConfig()
	c.Endpoint = r.addr
	return c
}

// Close stops the ResourceManager gracefully and waits for it to be gone;
// it closes the Server too if StartDemoCloud started both.
func (r *ResourceManager) Close() {
	r.grpc.GracefulStop()
	<-r.done
	if r.own {
		r.kms.Close()
	}
}

// DenyCloud makes FolderService.List of cloudID answer PERMISSION_DENIED.
func (r *ResourceManager) DenyCloud(cloudID string) { r.set(r.deniedC, cloudID, true) }

// DenyFolder makes every KMS List of folderID answer PERMISSION_DENIED.
func (r *ResourceManager) DenyFolder(folderID string) { r.set(r.deniedF, folderID, true) }

// AllowCloud undoes DenyCloud.
func (r *ResourceManager) AllowCloud(cloudID string) { r.set(r.deniedC, cloudID, false) }

// AllowFolder undoes DenyFolder.
func (r *ResourceManager) AllowFolder(folderID string) { r.set(r.deniedF, folderID, false) }

func (r *ResourceManager) set(m map[string]bool, id string, v bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m[id] = v
}

// AddFolder adds an ACTIVE folder to cloudID (which must exist), or adds
// back one RemoveFolder removed.
func (r *ResourceManager) AddFolder(cloudID, folderID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.removed, folderID)
	r.folders[folderID] = &rmpb.Folder{Id: folderID, CloudId: cloudID, Name: "folder-" + folderID, Status: rmpb.Folder_ACTIVE}
}

// RemoveFolder removes a folder, as a deletion that has completed:
// FolderService.List no longer lists it, and every KMS List of it answers
// PERMISSION_DENIED "Permission denied to folder <id>", as the cloud
// answers for a folder that does not exist (or that the caller may not
// see: it does not tell them apart).
func (r *ResourceManager) RemoveFolder(folderID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.folders, folderID)
	r.removed[folderID] = true
}

// SetFolderStatus sets the status a folder is listed with.
func (r *ResourceManager) SetFolderStatus(folderID string, st rmpb.Folder_Status) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f := r.folders[folderID]; f != nil { // a fresh message: the old one may be on its way out
		r.folders[folderID] = &rmpb.Folder{Id: f.Id, CloudId: f.CloudId, Name: f.Name, Status: st}
	}
}

// FailNext makes the next n Resource Manager requests fail with code
// (after authentication succeeds).
func (r *ResourceManager) FailNext(code codes.Code, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(failureQueue{{code, n}}, r.failures...)
}

// Requests returns how many Resource Manager requests reached method
// (MethodCloudList, MethodFolderList), failed ones included. KMS requests
// are counted by the Server.
func (r *ResourceManager) Requests(method string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[method]
}

// ResetCounts sets the Resource Manager's and the Server's counts to zero.
func (r *ResourceManager) ResetCounts() {
	r.mu.Lock()
	clear(r.counts)
	clear(r.perF)
	r.mu.Unlock()
	r.kms.ResetCounts()
}

// intercept serves endpoint discovery as it is, Resource Manager calls
// after authentication and queued failures, and KMS calls through the
// Server's own interceptor, then the folder's denial.
func (r *ResourceManager) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	switch info.FullMethod {
	case MethodEndpointList, endpoint.ApiEndpointService_Get_FullMethodName:
		return h(ctx, req)
	case MethodCloudList, MethodFolderList:
		r.mu.Lock()
		r.counts[info.FullMethod]++
		r.mu.Unlock()
		if err := r.kms.authenticate(ctx); err != nil {
			return nil, err
		}
		if code, ok := r.nextFailure(); ok {
			return nil, status.Errorf(code, "injected failure: %s", code)
		}
		return h(ctx, req)
	}
	return r.kms.intercept(ctx, req, info, func(ctx context.Context, req any) (any, error) {
		if f, ok := req.(interface{ GetFolderId() string }); ok && r.denied(f.GetFolderId()) {
			return nil, status.Errorf(codes.PermissionDenied, "Permission denied to folder %s", f.GetFolderId())
		}
		return h(ctx, req)
	})
}

// folderFault is a FailFolder knob.
type folderFault struct{ pass, fail int }

// FailFolder lets the folder's next after KMS List requests through, then
// answers the times after them PERMISSION_DENIED: a folder that fails
// part-way through a listing, then mends.
func (r *ResourceManager) FailFolder(folderID string, after, times int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failF[folderID] = &folderFault{after, times}
}

// FolderRequests returns how many KMS List requests of folderID reached
// the ResourceManager, failed ones included.
func (r *ResourceManager) FolderRequests(folderID string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.perF[folderID]
}

// denied counts a request of the folder and reports whether it is to be
// refused (DenyFolder, FailFolder).
func (r *ResourceManager) denied(folderID string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.perF[folderID]++
	if f := r.failF[folderID]; f != nil {
		switch {
		case f.pass > 0:
			f.pass--
		case f.fail > 0:
			f.fail--
			return true
		}
	}
	return r.deniedF[folderID] || r.removed[folderID]
}

func (r *ResourceManager) nextFailure() (codes.Code, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failures.next()
}

// sortedIDs returns the keys of m that keep selects, in order.
func sortedIDs[T any](m map[string]T, keep func(T) bool) []string {
	var ids []string
	for id, v := range m {
		if keep(v) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
