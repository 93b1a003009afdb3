package awskms

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/multikms/multikms/kms"
	"github.com/multikms/multikms/pagination"
)

// OpAssumeRole, OpListAccounts and OpListRegions are the discovery calls,
// the Op of their *kms.Error and events.
const (
	OpAssumeRole   = "AssumeRole"
	OpListAccounts = "ListAccounts"
	OpListRegions  = "ListRegions"
)

// discoveryCodes are the error codes of STS, Organizations and Account
// that the KMS table (codes) does not know.
var discoveryCodes = map[string]kms.Code{
	"AccessDenied":                      kms.CodePermissionDenied, // STS, HTTP 403
	"RegionDisabledException":           kms.CodePermissionDenied, // STS not activated in the Region
	"OptInRequired":                     kms.CodePermissionDenied,
	"AWSOrganizationsNotInUseException": kms.CodeNotFound, // the account is in no organization
	"InvalidInputException":             kms.CodeInvalidArgument,
	"ValidationError":                   kms.CodeInvalidArgument,
	"MalformedPolicyDocument":           kms.CodeInvalidArgument,
	"PackedPolicyTooLarge":              kms.CodeInvalidArgument,
	"ServiceException":                  kms.CodeUnavailable,
	"InternalServerException":           kms.CodeUnavailable,
	"IDPCommunicationError":             kms.CodeUnavailable,
	"ExpiredTokenException":             kms.CodeUnauthenticated,
	"ExpiredToken":                      kms.CodeUnauthenticated, // STS's code for expired temporary credentials
}

// discoveryError maps an error of a discovery call (see mapError).
func discoveryError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	var re *roleError
	if errors.As(err, &re) {
		return re.kms() // a role that could not be assumed says so itself
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if c, ok := discoveryCodes[ae.ErrorCode()]; ok {
			return kms.NewError(kms.ProviderAWS, op, c, err)
		}
	}
	return mapError(ctx, op, err)
}

// observerSwitch is the observer AssumeRole tells: the fleet's during
// discovery; none once listings run, whose fan-out tells the fleet's
// observer of every request of a scope, AssumeRole included.
type observerSwitch struct {
	obs     pagination.Observer
	listing atomic.Bool
}

func (o *observerSwitch) observer() pagination.Observer {
	if o == nil || o.obs == nil || o.listing.Load() {
		return nil
	}
	return o.obs
}

// assumer is the credentials provider of an assumed role: each
// AssumeRole goes through the engine (retried, observed, classified).
type assumer struct {
	next  *stscreds.AssumeRoleProvider
	scope string
	retry pagination.Retry
	lim   *pagination.Limiter
	obs   *observerSwitch
}

func (a *assumer) Retrieve(ctx context.Context) (aws.Credentials, error) {
	var cr aws.Credentials
	req := pagination.Request{Op: OpAssumeRole, Scope: a.scope, Retry: a.retry, Limiter: a.lim, Observer: a.obs.observer()}
	err := req.Do(ctx, func(ctx context.Context) error {
		var err error
		cr, err = a.next.Retrieve(ctx)
		if err != nil {
			return assumeError(ctx, err)
		}
		return nil
	})
	return cr, err
}

// assumeError classifies a failed AssumeRole: a denied role is
// ErrPermissionDenied, the caller's own bad credentials ErrUnauthenticated.
func assumeError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	var ae smithy.APIError
	code := kms.CodeUnknown
	if errors.As(err, &ae) {
		if c, ok := discoveryCodes[ae.ErrorCode()]; ok {
			code = c
		} else if c, ok := codes[ae.ErrorCode()]; ok {
			code = c
		}
	}
	if code == kms.CodeUnknown {
		if me, ok := mapError(ctx, OpAssumeRole, err).(*kms.Error); ok {
			code = me.Code
		}
	}
	return &roleError{code: code, err: err}
}

// roleError is a role that could not be assumed, of a portable code. It is
// not a *kms.Error, as it reaches callers inside the *kms.Error of the
// call it was needed for (whose message carries the one "kms: " prefix);
// errors.Is matches its code's class all the same, and the engine retries
// it when it is throttled or unavailable. Discovery turns it into a
// *kms.Error of Op AssumeRole (see discoveryError).
type roleError struct {
	code kms.Code
	err  error
}

func (e *roleError) Error() string   { return "AssumeRole: " + e.code.String() + ": " + e.err.Error() }
func (e *roleError) Unwrap() error   { return e.err }
func (e *roleError) Retryable() bool { return e.kms().Retryable() }
func (e *roleError) Throttled() bool { return e.kms().Throttled() }

// Is matches the class of the role's code (kms.ErrPermissionDenied, say).
func (e *roleError) Is(target error) bool { return e.kms().Is(target) }

func (e *roleError) kms() *kms.Error {
	return kms.NewError(kms.ProviderAWS, OpAssumeRole, e.code, e.err)
}

// roleCredentials returns cached credentials of roleARN, assumed with
// base's credentials; they are refreshed five minutes before they expire.
func (d *discovery) roleCredentials(base aws.Config, roleARN, scope string) aws.CredentialsProvider {
	client := sts.NewFromConfig(base, func(o *sts.Options) {
		o.Retryer = aws.NopRetryer{} // the engine retries
		if o.HTTPClient != nil {
			o.HTTPClient = limitedClient{next: o.HTTPClient}
		}
	})
	session := d.f.sessionName
	if session == "" {
		session = DefaultSessionName
	}
	p := stscreds.NewAssumeRoleProvider(client, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = session
		if d.f.externalID != "" {
			o.ExternalID = aws.String(d.f.externalID)
		}
		if d.f.duration > 0 {
			o.Duration = d.f.duration
		}
	})
	return aws.NewCredentialsCache(&assumer{next: p, scope: scope, retry: d.s.Retry, lim: d.limiters[OpAssumeRole], obs: d.obs},
		func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 5 * time.Minute })
}
