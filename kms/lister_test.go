package kms

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestListOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		opts  ListOptions
		param string // "" = valid
	}{
		{ListOptions{}, ""},
		{ListOptions{PageSize: 100, MaxItems: 5}, ""},
		{ListOptions{PageSize: -1}, "PageSize"},
		{ListOptions{PageSize: 101}, "PageSize"},
		{ListOptions{MaxItems: -1}, "MaxItems"},
		{ListOptions{Filter: Filter{States: []KeyState{"Bogus"}}}, "Filter.States"},
	} {
		err := tc.opts.Validate(ProviderAWS, "ListKeys", 100)
		if tc.param == "" {
			assert.NoError(t, err, "%+v", tc.opts)
			continue
		}
		assert.True(t, errors.Is(err, ErrInvalidArgument), "%+v: %v", tc.opts, err)
		assert.ErrorContains(t, err, tc.param)
		assert.ErrorContains(t, err, "aws ListKeys")
	}
}
