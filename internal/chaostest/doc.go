// Package chaostest holds the chaos test of the whole stack: a fleet
// (kms.Merge) of the three adapters over their test servers, through the
// real SDKs, under throttling, server faults and latency, each listing
// broken off at random points and resumed from its cursor in a fresh
// Merge of fresh Listers. It has no API; see chaos_test.go.
package chaostest
