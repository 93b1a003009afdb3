package yandexkms

import (
	"context"
	"errors"
	"unicode/utf8"

	rmpb "github.com/yandex-cloud/go-genproto/yandex/cloud/resourcemanager/v1"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

var errDiscoveryToken = errors.New("the server answered a next page token longer than the 2000 characters the API allows")

// listClouds returns the IDs of the clouds of organization orgID, paged
// through the engine.
func (l *Lister) listClouds(ctx context.Context, orgID string) ([]string, error) {
	fetch := func(ctx context.Context, token string, size int) ([]string, string, error) {
		resp, err := await(ctx, func(ctx context.Context) (*rmpb.ListCloudsResponse, error) {
			return l.sdk.ResourceManager().Cloud().List(ctx, &rmpb.ListCloudsRequest{OrganizationId: orgID, PageSize: int64(size), PageToken: token})
		})
		if err = checkDiscoveryAnswer(ctx, OpListClouds, resp.GetNextPageToken(), err); err != nil {
			return nil, "", err
		}
		ids := make([]string, 0, len(resp.Clouds))
		for _, c := range resp.Clouds {
			ids = append(ids, c.GetId())
		}
		return ids, resp.NextPageToken, nil
	}
	return pagination.Collect(pagination.ByPageToken(ctx, fetch, l.discoveryOptions(OpListClouds, orgID)))
}

// activeFolders returns the IDs of the ACTIVE folders of cloud cloudID
// (DELETING and PENDING_DELETION ones are left out), paged through the
// engine. A folder ID not of the documented shape is a bad answer.
func (l *Lister) activeFolders(ctx context.Context, cloudID string) ([]string, error) {
	fetch := func(ctx context.Context, token string, size int) ([]string, string, error) {
		resp, err := await(ctx, func(ctx context.Context) (*rmpb.ListFoldersResponse, error) {
			return l.sdk.ResourceManager().Folder().List(ctx, &rmpb.ListFoldersRequest{CloudId: cloudID, PageSize: int64(size), PageToken: token})
		})
		if err = checkDiscoveryAnswer(ctx, OpListFolders, resp.GetNextPageToken(), err); err != nil {
			return nil, "", err
		}
		var ids []string
		for _, f := range resp.Folders {
			if f.GetStatus() != rmpb.Folder_ACTIVE {
				continue
			}
			if err := checkID(OpListFolders, "folder ID", f.GetId(), MaxFolderIDLen); err != nil {
				return nil, "", kms.NewError(kms.ProviderYandex, OpListFolders, kms.CodeUnavailable, badAnswer{err})
			}
			ids = append(ids, f.GetId())
		}
		return ids, resp.NextPageToken, nil
	}
	return pagination.Collect(pagination.ByPageToken(ctx, fetch, l.discoveryOptions(OpListFolders, cloudID)))
}

// discoveryOptions are the engine options of one discovery listing.
func (l *Lister) discoveryOptions(op, parent string) pagination.Options {
	return pagination.Options{
		PageSize: DiscoveryPageSize,
		Scope:    l.scopeOf(op, parent),
		Retry:    l.retry,
		Limiter:  l.limiter,
		Op:       op,
		Observer: l.observer,
		WrapErr:  func(err error) error { return kms.WrapEngineError(kms.ProviderYandex, op, err) },
	}
}

// checkDiscoveryAnswer maps the error of one discovery call and refuses a
// next page token beyond the API's limit.
func checkDiscoveryAnswer(ctx context.Context, op, next string, err error) error {
	if err != nil {
		return mapError(ctx, op, err)
	}
	if utf8.RuneCountInString(next) > MaxDiscoveryPageToken {
		return kms.NewError(kms.ProviderYandex, op, kms.CodeUnavailable, badAnswer{errDiscoveryToken})
	}
	return nil
}
