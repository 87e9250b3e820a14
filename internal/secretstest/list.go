package secretstest

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// listRequest is ListSecrets' input, as far as the server serves it.
type listRequest struct {
	Filters []struct {
		Key    string   `json:"Key"`
		Values []string `json:"Values"`
	} `json:"Filters"`
	MaxResults int    `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

// listSecrets serves ListSecrets with the "name" filter (a case-sensitive
// prefix match, as Secrets Manager documents it; any of the values) and
// paging by MaxResults (1-100, default 100) and NextToken. Secrets created
// without a value are listed, as they exist.
func (s *Server) listSecrets(w http.ResponseWriter, r *http.Request) {
	var in listRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(w, "InvalidParameterException", "the request is not JSON")
		return
	}
	if in.MaxResults == 0 {
		in.MaxResults = 100
	}
	start, err := strconv.Atoi(in.NextToken)
	if in.NextToken == "" {
		start, err = 0, nil
	}
	if in.MaxResults < 1 || in.MaxResults > 100 || err != nil || start < 0 {
		fail(w, "InvalidParameterException", "MaxResults must be 1-100 and NextToken one the server gave")
		return
	}
	var prefixes []string
	for _, f := range in.Filters {
		if f.Key != "name" {
			fail(w, "InvalidParameterException", "only the name filter is served")
			return
		}
		prefixes = append(prefixes, f.Values...)
	}
	s.mu.Lock()
	names := slices.Sorted(maps.Keys(s.secrets))
	s.mu.Unlock()
	names = slices.DeleteFunc(names, func(n string) bool {
		return len(prefixes) > 0 && !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(n, p) })
	})
	names = names[min(start, len(names)):]
	out := map[string]any{}
	if len(names) > in.MaxResults {
		names = names[:in.MaxResults]
		out["NextToken"] = strconv.Itoa(start + in.MaxResults)
	}
	list := make([]map[string]any, len(names))
	for i, n := range names {
		list[i] = map[string]any{"ARN": ARN(n), "Name": n, "CreatedDate": 1.7e9, "LastChangedDate": 1.7e9}
	}
	out["SecretList"] = list
	answer(w, out)
}
