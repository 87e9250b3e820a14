package config

import "testing"

// TestPBXKeys: the default PBX keeps the single-PBX objects; another PBX's
// are in a folder named for it beside them.
func TestPBXKeys(t *testing.T) {
	cases := []struct{ tokenKey, id, token, state string }{
		{DefaultTokenCacheKey, "default", ".recording-sync/pbx-token.json", ".recording-sync/reconcile-state.json"},
		{DefaultTokenCacheKey, "", ".recording-sync/pbx-token.json", ".recording-sync/reconcile-state.json"},
		{DefaultTokenCacheKey, "hq", ".recording-sync/hq/pbx-token.json", ".recording-sync/hq/reconcile-state.json"},
		{".recording-sync/stack-1/pbx-token.json", "branch-2", ".recording-sync/stack-1/branch-2/pbx-token.json", ".recording-sync/stack-1/branch-2/reconcile-state.json"},
		{"token.json", "hq", "hq/token.json", "hq/reconcile-state.json"},
	}
	for _, tc := range cases {
		if got := TokenKeyFor(tc.tokenKey, tc.id); got != tc.token {
			t.Errorf("TokenKeyFor(%q, %q) = %q, want %q", tc.tokenKey, tc.id, got, tc.token)
		}
		if got := StateKeyFor(tc.tokenKey, tc.id); got != tc.state {
			t.Errorf("StateKeyFor(%q, %q) = %q, want %q", tc.tokenKey, tc.id, got, tc.state)
		}
	}
}
