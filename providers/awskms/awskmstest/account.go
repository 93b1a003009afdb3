package awskmstest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Account ListRegions over restJson1: POST /listRegions with a JSON body
// (AccountId, MaxResults 1..50, NextToken, RegionOptStatusContains);
// errors carry the X-Amzn-ErrorType header and a JSON message
// (AccessDeniedException 403, ValidationException 400).

type regionEntry struct {
	RegionName      string `json:"RegionName"`
	RegionOptStatus string `json:"RegionOptStatus"`
}

var regionStatuses = []string{"ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT"}

func writeRESTError(w http.ResponseWriter, status int, typ, msg string) {
	body, _ := json.Marshal(map[string]string{"message": msg})
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (c *Cloud) serveAccount(w http.ResponseWriter, r *http.Request, akid string) {
	if r.Method != http.MethodPost || r.URL.Path != "/listRegions" {
		writeRESTError(w, http.StatusNotFound, "UnknownOperationException", "no such operation")
		return
	}
	var req pagedRequest
	if e := decodeBody(r, &req); e != nil {
		writeRESTError(w, e.status, "ValidationException", e.msg)
		return
	}
	if !c.delay(r) {
		return
	}
	if c.throttled("ListRegions") {
		writeRESTError(w, http.StatusTooManyRequests, "TooManyRequestsException", "The action failed due to a throttling limit.")
		return
	}
	caller, why := c.caller(r, akid)
	if why != "" {
		writeRESTError(w, http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid.")
		return
	}
	target := caller
	if req.AccountID != nil {
		target = *req.AccountID
	}
	c.topo.RLock()
	_, member := c.byID[target]
	c.topo.RUnlock()
	switch {
	case c.cfg.deniedListRegs[target] || (target != caller && (caller != c.cfg.management || !member)):
		writeRESTError(w, http.StatusForbidden, "AccessDeniedException",
			"User: arn:aws:iam::"+caller+":user/caller is not authorized to perform: account:ListRegions")
		return
	}
	for _, st := range req.RegionOptStatusContains {
		if !slices.Contains(regionStatuses, st) {
			writeRESTError(w, http.StatusBadRequest, "ValidationException", "Invalid value for RegionOptStatusContains")
			return
		}
	}
	regions := c.regionsOf(target, req.RegionOptStatusContains)
	start, end, next, e := c.pageOf(req, "ListRegions/"+target, "ValidationException", len(regions), 20, 50)
	if e != nil {
		writeRESTError(w, e.status, e.typ, e.msg)
		return
	}
	out := struct {
		NextToken *string       `json:"NextToken,omitempty"`
		Regions   []regionEntry `json:"Regions"`
	}{NextToken: next, Regions: regions[start:end]}
	body, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// regionsOf lists the Regions of account, sorted, of the statuses asked
// (all if none): the account's Regions (ENABLED_BY_DEFAULT, or ENABLED
// for opt-in ones) and the opt-in Regions it has not enabled (DISABLED).
func (c *Cloud) regionsOf(account string, statuses []string) []regionEntry {
	c.topo.RLock()
	defer c.topo.RUnlock()
	a := c.byID[account]
	var out []regionEntry
	add := func(name, st string) {
		if len(statuses) == 0 || slices.Contains(statuses, st) {
			out = append(out, regionEntry{name, st})
		}
	}
	if a != nil {
		for _, r := range a.Regions {
			if slices.Contains(OptInRegions, r) {
				add(r, "ENABLED")
			} else {
				add(r, "ENABLED_BY_DEFAULT")
			}
		}
		for _, r := range OptInRegions {
			if !slices.Contains(a.Regions, r) {
				add(r, "DISABLED")
			}
		}
	}
	slices.SortFunc(out, func(x, y regionEntry) int { return strings.Compare(x.RegionName, y.RegionName) })
	return out
}
