package awskms

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// OpGetCallerIdentity is the discovery call that finds the caller's own
// account in an organization (sts:GetCallerIdentity, which needs no
// permission), the Op of its *kms.Error and events.
const OpGetCallerIdentity = "GetCallerIdentity"

// organization lists the organization's accounts and, at the same time
// (one round trip for both), the caller's own account: the account of
// WithAssumeRole's role if there is one (no request), else
// GetCallerIdentity's. The first of the two to fail cancels the other, and
// its error is returned.
func (d *discovery) organization(ctx context.Context) ([]orgtypes.Account, string, error) {
	if d.base != "" {
		listed, err := d.listAccounts(ctx)
		return listed, d.base, err
	}
	both, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		caller    string
		callerErr error
		wg        sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if caller, callerErr = d.callerAccount(both); callerErr != nil {
			cancel()
		}
	}()
	listed, err := d.listAccounts(both)
	if err != nil {
		cancel()
	}
	wg.Wait()
	if cerr := ctx.Err(); cerr != nil {
		return nil, "", cerr
	}
	for _, e := range []error{err, callerErr} {
		if e != nil && !errors.Is(e, context.Canceled) {
			return nil, "", e
		}
	}
	return listed, caller, nil
}

// callerAccount calls GetCallerIdentity with the fleet's credentials,
// through the engine, and returns the account it answers.
func (d *discovery) callerAccount(ctx context.Context) (string, error) {
	client := sts.NewFromConfig(d.cfg, func(o *sts.Options) {
		o.Retryer = aws.NopRetryer{} // the engine retries
		if o.HTTPClient != nil {
			o.HTTPClient = limitedClient{next: o.HTTPClient}
		}
	})
	var account string
	req := pagination.Request{
		Op: OpGetCallerIdentity, Scope: "aws/discovery/" + OpGetCallerIdentity + "/caller",
		Retry: d.s.Retry, Limiter: d.limiters[OpGetCallerIdentity], Observer: d.s.Observer,
	}
	err := req.Do(ctx, func(ctx context.Context) error {
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return discoveryError(ctx, OpGetCallerIdentity, err)
		}
		account = aws.ToString(out.Account)
		if !accountIDShape.MatchString(account) {
			return kms.NewError(kms.ProviderAWS, OpGetCallerIdentity, kms.CodeUnknown, errors.New("the answer's Account is not 12 digits"))
		}
		return nil
	})
	if err != nil {
		return "", kms.WrapEngineError(kms.ProviderAWS, OpGetCallerIdentity, err)
	}
	return account, nil
}
