package pbxregistry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// maxFileSize bounds the registry file: a few hundred bytes per PBX.
const maxFileSize = 1 << 20

// File is the Source of PBX_REGISTRY_FILE: a JSON object of entries by id,
// {"<id>": {"base_url", "client_id", "client_secret", "webhook_secret",
// "ca_cert"}}. The file is read whole on every Read; a bad id or entry
// fails the Read, naming the id and the field.
func File(path string) Source { return fileSource(path) }

type fileSource string

func (f fileSource) Read(ctx context.Context) (Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return Snapshot{}, err
	}
	raw, err := readBounded(string(f))
	if err != nil {
		return Snapshot{}, err
	}
	var byID map[string]json.RawMessage
	if err := json.Unmarshal(raw, &byID); err != nil || byID == nil {
		problem := "null"
		if err != nil {
			problem = recording.JSONProblem(err)
		}
		return Snapshot{}, fmt.Errorf("PBX registry %s: not a JSON object of PBXs by id: %s", f, problem)
	}
	snap := Snapshot{Entries: make(map[string]Entry, len(byID))}
	// In id order, so that the same file always gives the same first error.
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		if err := ValidateID(id); err != nil {
			return Snapshot{}, fmt.Errorf("PBX registry %s: PBX %s: not an id: want 1 to 32 characters from a-z, 0-9 and -", f, strconv.QuoteToASCII(id))
		}
		e, err := decodeEntry(id, byID[id])
		if err != nil {
			return Snapshot{}, fmt.Errorf("PBX registry %s: %w", f, err)
		}
		snap.Entries[id] = e
	}
	return snap, nil
}

// readBounded reads a file of at most maxFileSize bytes.
func readBounded(path string) ([]byte, error) {
	fh, err := os.Open(path) //nolint:gosec // the path is the operator's own configuration
	if err != nil {
		return nil, fmt.Errorf("PBX registry: %w", err)
	}
	defer func() { _ = fh.Close() }() // read only: closing cannot lose data
	raw, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("PBX registry %s: %w", path, err)
	case len(raw) > maxFileSize:
		return nil, fmt.Errorf("PBX registry %s: larger than %d bytes", path, maxFileSize)
	}
	return raw, nil
}
