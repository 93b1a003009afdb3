package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// resumeState is the content of a -resume FILE: where the listing of one
// fleet stands. Cursor is the fleet's Iterator.Cursor (it holds no
// credential); Done marks a listing that completed, so that a rerun with the
// same FILE lists nothing again.
type resumeState struct {
	Version int    `json:"version"`
	Fleet   string `json:"fleet"` // fingerprint of the URLs and the filter
	Cursor  string `json:"cursor,omitempty"`
	Keys    int    `json:"keys"` // keys listed so far over the chain of runs
	Done    bool   `json:"done"`
}

const resumeVersion = 1

// fleetFingerprint identifies what a cursor was made for: the URLs (or the
// demo fleet) and the filter, hashed so that no parameter is written out.
func fleetFingerprint(c config) string {
	h := sha256.New()
	if len(c.urls) == 0 {
		h.Write([]byte("demo\n"))
	}
	for _, u := range c.urls {
		h.Write([]byte(u + "\n"))
	}
	h.Write([]byte("filter=" + c.opts.Filter.String()))
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:32]
}

// loadResume reads FILE; a missing FILE is a fresh start. A FILE made for
// another fleet or filter, or one that is not a resume file, is a usage
// error: nothing is listed.
func loadResume(path, fleet string) (resumeState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		// A fresh start: the cursor must be writable there when needed.
		if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
			return resumeState{}, usagef("-resume %s: no such directory", path)
		}
		return resumeState{Version: resumeVersion, Fleet: fleet}, nil
	}
	if err != nil {
		return resumeState{}, usagef("-resume %s: %v", path, err)
	}
	var st resumeState
	if err := json.Unmarshal(b, &st); err != nil || st.Version != resumeVersion || !strings.HasPrefix(st.Fleet, "sha256:") {
		return resumeState{}, usagef("-resume %s: not a kmsinventory resume file", path)
	}
	if st.Fleet != fleet {
		return resumeState{}, usagef("-resume %s: written for another fleet (other URLs or -filter); "+
			"give another FILE or delete this one", path)
	}
	return st, nil
}

// save writes the state to path atomically (a temporary file renamed over
// it), readable by its owner only.
func (st resumeState) save(path string) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("saving the cursor: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("saving the cursor: %w", err)
	}
	return nil
}
