package config

import (
	"path"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// stateFile is the reconciler's state object's name, beside the token
// object.
const stateFile = "reconcile-state.json"

// TokenKeyFor is PBX id's shared token object, given the single PBX's
// (TOKEN_CACHE_KEY): the default PBX's is tokenKey itself, so that the
// single-PBX configuration keeps its object; another PBX's is in a folder
// named for it beside it, e.g. .recording-sync/hq/pbx-token.json.
func TokenKeyFor(tokenKey, id string) string {
	if id == "" || id == recording.DefaultPBX {
		return tokenKey
	}
	return path.Join(path.Dir(tokenKey), id, path.Base(tokenKey))
}

// StateKeyFor is PBX id's reconcile state object, beside its token object
// (TokenKeyFor): reconcile-state.json in the token object's folder.
func StateKeyFor(tokenKey, id string) string {
	return path.Join(path.Dir(TokenKeyFor(tokenKey, id)), stateFile)
}
