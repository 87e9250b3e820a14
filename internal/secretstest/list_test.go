package secretstest_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/recording-sync/recording-sync/internal/secretstest"
)

// TestListSecretsThroughTheSDK lists by name prefix, case-sensitively,
// page by page through the SDK's paginator; a deleted secret is gone, and
// an injected failure is the SDK's error and is counted.
func TestListSecretsThroughTheSDK(t *testing.T) {
	srv, client := start(t)
	for _, n := range []string{"pbx/a", "pbx/b", "pbx/c", "PBX/d", "other"} {
		srv.Put(n, "{}")
	}
	srv.Create("pbx/e")
	srv.Delete("pbx/c")
	list := func() ([]string, error) {
		var names []string
		p := secretsmanager.NewListSecretsPaginator(client, &secretsmanager.ListSecretsInput{
			MaxResults: aws.Int32(2), Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"pbx/"}}},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(t.Context())
			if err != nil {
				return nil, err
			}
			for _, s := range page.SecretList {
				if *s.ARN != secretstest.ARN(*s.Name) {
					t.Errorf("ARN %s, want %s", *s.ARN, secretstest.ARN(*s.Name))
				}
				names = append(names, *s.Name)
			}
		}
		return names, nil
	}
	names, err := list()
	if want := []string{"pbx/a", "pbx/b", "pbx/e"}; err != nil || !slices.Equal(names, want) {
		t.Errorf("listed %v, %v; want %v", names, err, want)
	}
	if srv.Lists() != 2 {
		t.Errorf("%d ListSecrets requests, want 2 (pages of 2)", srv.Lists())
	}
	srv.FailWith("InternalServiceError")
	var internal *types.InternalServiceError
	if _, err := list(); !errors.As(err, &internal) || srv.Failures() != 1 {
		t.Errorf("with a failure injected: %v after %d failures, want one InternalServiceError", err, srv.Failures())
	}
}
