package awskms

import (
	"regexp"
	"slices"
	"time"

	"github.com/multikms/multikms/internal/adapter"
	"github.com/multikms/multikms/kms"
)

// FleetOption configures NewFleet: the discovery options below, and any
// Option, which applies to the fleet's configuration (WithProfile,
// WithEndpoint, WithRegion: the home Region of the discovery calls,
// WithLoadOptions) and to every scope's Lister (WithRateLimit,
// WithConcurrency, WithRetry, ...; each scope keeps its own limiters, as
// each account and Region has its own quotas). WithObserver observes the
// whole fleet: discovery calls, scope events and every request.
type FleetOption interface{ applyFleet(*fleetSettings) }

func (o Option) applyFleet(f *fleetSettings) { f.lister = append(f.lister, o) }

type discoveryOption func(*fleetSettings)

func (o discoveryOption) applyFleet(f *fleetSettings) { o(f) }

type fleetSettings struct {
	lister      []Option
	regions     []string // nil: the home Region; {"*"}: every enabled one
	roleARN     string
	externalID  string
	sessionName string
	org         string // "": no organization; "*": the caller's; else its ID
	memberRole  string
	scopesConc  int
	failFast    bool
	duration    time.Duration
	err         error
}

// DefaultMemberRole is the role NewFleet assumes in each account of an
// organization: the one Organizations creates in the accounts it creates.
const DefaultMemberRole = "OrganizationAccountAccessRole"

// DefaultSessionName is the RoleSessionName of the roles NewFleet assumes.
const DefaultSessionName = "multikms"

// Documented shapes (IAM and STS API references).
var (
	roleARNShape     = regexp.MustCompile(`^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::[0-9]{12}:role/([\x21-\x7E]{0,510}/)?[\w+=,.@-]{1,64}$`)
	externalIDShape  = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // and 2..1224 long
	sessionNameShape = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	roleNameShape    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	orgIDShape       = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	accountIDShape   = regexp.MustCompile(`^[0-9]{12}$`)
)

func (f *fleetSettings) fail(param, format string, args ...any) {
	if f.err == nil {
		f.err = kms.InvalidArgument(kms.ProviderAWS, "NewFleet", param, format, args...)
	}
}

// WithRegions sets the Regions of every account of the fleet: "*" alone
// for every Region enabled for the account (account:ListRegions, statuses
// ENABLED and ENABLED_BY_DEFAULT), else a list of Region names (1..64,
// each shaped like eu-west-1, no repeats). Without it the fleet has the
// home Region only.
func WithRegions(regions ...string) FleetOption {
	return discoveryOption(func(f *fleetSettings) {
		switch {
		case len(regions) == 1 && regions[0] == "*":
		case len(regions) == 0 || len(regions) > 64:
			f.fail("Regions", `want "*" or 1..64 Region names, got %d`, len(regions))
			return
		default:
			for i, r := range regions {
				if !regionRe.MatchString(r) {
					f.fail("Regions", "item %d must be an AWS Region name such as eu-west-1 (or \"*\" alone)", i)
					return
				}
				if slices.Contains(regions[:i], r) {
					f.fail("Regions", "item %d repeats a Region", i)
					return
				}
			}
		}
		f.regions = slices.Clone(regions)
	})
}

// WithAssumeRole makes the fleet act as roleARN (arn:aws:iam::<account>:role/<name>),
// assumed with sts:AssumeRole through stscreds, the credentials cached and
// refreshed before they expire: externalID (2..1224 of [\w+=,.@:/-]; ""
// none) and sessionName (2..64 of [\w+=,.@-]; "" means DefaultSessionName)
// as the role's trust policy asks. The role is assumed by the first
// request that needs it; if it cannot be, the scopes that need it fail (a
// *kms.ScopeError each), not NewFleet.
func WithAssumeRole(roleARN, externalID, sessionName string) FleetOption {
	return discoveryOption(func(f *fleetSettings) {
		switch {
		case len(roleARN) < 20 || len(roleARN) > 2048 || !roleARNShape.MatchString(roleARN):
			f.fail("RoleARN", "must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>")
			return
		case externalID != "" && !validExternalID(externalID):
			f.fail("ExternalID", `must be 2..1224 characters of letters, digits and +=,.@:/-_`)
			return
		case sessionName != "" && !sessionNameShape.MatchString(sessionName):
			f.fail("SessionName", `must be 2..64 characters of letters, digits and +=,.@-_`)
			return
		}
		f.roleARN, f.externalID, f.sessionName = roleARN, externalID, sessionName
	})
}

// WithOrganization makes the fleet every ACTIVE account of an
// organization, as organizations:ListAccounts (called with the fleet's
// credentials: the management account or a delegated administrator) lists
// them. The caller's own account (sts:GetCallerIdentity's, called beside
// ListAccounts; with WithAssumeRole, the role's account) is reached with
// the fleet's credentials; every other account through its member role
// (WithMemberRole). id is the organization's ID (o- and 10..32 lowercase
// letters or digits), which every listed account must belong to, or "*"
// for the organization of the credentials.
func WithOrganization(id string) FleetOption {
	return discoveryOption(func(f *fleetSettings) {
		if id != "*" && !orgIDShape.MatchString(id) {
			f.fail("Organization", `must be an organization ID such as o-a1b2c3d4e5, or "*"`)
			return
		}
		f.org = id
	})
}

// WithMemberRole sets the name of the role assumed in each account of the
// organization (1..64 of [\w+=,.@-]; default DefaultMemberRole): the ARN
// arn:aws:iam::<account>:role/<name>, with WithAssumeRole's external ID
// and session name. Every listed account is reached through it but the
// caller's own (see WithOrganization): Organizations creates
// OrganizationAccountAccessRole in the member accounts it creates, never
// in the management account, and a delegated administrator's own account
// need not have the role either.
func WithMemberRole(name string) FleetOption {
	return discoveryOption(func(f *fleetSettings) {
		if !roleNameShape.MatchString(name) {
			f.fail("MemberRole", "must be an IAM role name, 1..64 characters of letters, digits and +=,.@-_")
			return
		}
		f.memberRole = name
	})
}

// WithRoleSession sets the external ID (2..1224 of [\w+=,.@:/-]; "" none)
// and session name (2..64 of [\w+=,.@-]; "" means DefaultSessionName) of
// every role the fleet assumes: the member roles of WithOrganization, and
// WithAssumeRole's, which sets them too.
func WithRoleSession(externalID, sessionName string) FleetOption {
	return discoveryOption(func(f *fleetSettings) {
		switch {
		case externalID != "" && !validExternalID(externalID):
			f.fail("ExternalID", `must be 2..1224 characters of letters, digits and +=,.@:/-_`)
		case sessionName != "" && !sessionNameShape.MatchString(sessionName):
			f.fail("SessionName", `must be 2..64 characters of letters, digits and +=,.@-_`)
		default:
			f.externalID, f.sessionName = externalID, sessionName
		}
	})
}

// WithScopeConcurrency sets how many scopes (account and Region) a listing
// lists at once, 1..1024
// (default kms.Merge's, pagination.DefaultFanOutConcurrency).
func WithScopeConcurrency(n int) FleetOption {
	return discoveryOption(func(f *fleetSettings) {
		if n < 1 || n > adapter.MaxConcurrency {
			f.fail("ScopeConcurrency", "must be 1..%d, got %d", adapter.MaxConcurrency, n)
			return
		}
		f.scopesConc = n
	})
}

// WithFailFast makes a fleet listing end with the first scope that fails
// (kms.MergeFailFast) instead of listing the others to their end.
func WithFailFast() FleetOption {
	return discoveryOption(func(f *fleetSettings) { f.failFast = true })
}

// WithRoleDuration sets how long assumed-role credentials last, 15 minutes
// to 12 hours (default: STS's, one hour; a chained role allows one hour at
// most).
func WithRoleDuration(d time.Duration) FleetOption {
	return discoveryOption(func(f *fleetSettings) {
		if d < 15*time.Minute || d > 12*time.Hour {
			f.fail("RoleDuration", "must be 15m..12h, got %v", d)
			return
		}
		f.duration = d
	})
}

func validExternalID(id string) bool {
	return len(id) >= 2 && len(id) <= 1224 && externalIDShape.MatchString(id)
}
