package pbxregistry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/recording-sync/recording-sync/pkg/pbxsecret"
)

// SecretsAPI is the part of the Secrets Manager client Secrets uses.
type SecretsAPI interface {
	pbxsecret.API
	ListSecrets(ctx context.Context, in *secretsmanager.ListSecretsInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error)
}

var _ SecretsAPI = (*secretsmanager.Client)(nil)

// Secrets is the Source of PBX_SECRET_PREFIX: every secret whose name
// starts with prefix is one PBX, its id the rest of the name, its value
// the JSON object of an entry. A name whose rest is not an id, and a
// secret whose value is not a valid entry or that went away while being
// read, is skipped with its reason: one PBX set up wrong does not stop the
// others. A failed ListSecrets or GetSecretValue fails the Read, so that
// the Registry keeps what it read last rather than drop PBXs it could not
// read this time.
func Secrets(api SecretsAPI, prefix string) Source { return &secretsSource{api: api, prefix: prefix} }

type secretsSource struct {
	api    SecretsAPI
	prefix string
}

// listPageSize is the most ListSecrets answers at once.
const listPageSize = 100

func (s *secretsSource) Read(ctx context.Context) (Snapshot, error) {
	snap := Snapshot{Entries: map[string]Entry{}}
	in := &secretsmanager.ListSecretsInput{
		Filters:    []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{s.prefix}}},
		MaxResults: ptr(int32(listPageSize)),
	}
	for {
		out, err := s.api.ListSecrets(ctx, in)
		if err != nil {
			return Snapshot{}, fmt.Errorf("list secrets named %s*: %w", s.prefix, err)
		}
		for _, sec := range out.SecretList {
			if err := s.add(ctx, &snap, sec); err != nil {
				return Snapshot{}, err
			}
		}
		if out.NextToken == nil || *out.NextToken == "" {
			return snap, nil
		}
		in.NextToken = out.NextToken
	}
}

// add reads one listed secret into snap, or notes why it is skipped.
func (s *secretsSource) add(ctx context.Context, snap *Snapshot, sec types.SecretListEntry) error {
	name := value(sec.Name)
	// The name filter is a prefix match; checked again so that nothing
	// outside the prefix (which IAM does not let the function read
	// anyway) is ever taken for a PBX.
	id, ok := strings.CutPrefix(name, s.prefix)
	if !ok {
		return nil
	}
	if valid := ValidateID(id) == nil; !valid {
		snap.Skipped = append(snap.Skipped, Skipped{Name: name, Reason: "the name after " + s.prefix + " is not a PBX id (1 to 32 characters from a-z, 0-9 and -)"})
		return nil
	}
	secretID := name
	if sec.ARN != nil {
		secretID = *sec.ARN
	}
	text, err := pbxsecret.Text(ctx, s.api, secretID)
	if reason, skip := unreadable(err); skip {
		snap.Skipped = append(snap.Skipped, Skipped{Name: name, Reason: reason})
		return nil
	}
	if err != nil {
		return err
	}
	if e, skip := entry(id, name, text); skip != nil {
		snap.Skipped = append(snap.Skipped, *skip)
	} else {
		snap.Entries[id] = e
	}
	return nil
}

// unreadable reports whether a failed read is the secret's own problem
// (no value stored, or no usable text), to be skipped, and why.
func unreadable(err error) (string, bool) {
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return "no value stored", true
	case errors.Is(err, pbxsecret.ErrUnusableValue):
		return pbxsecret.ErrUnusableValue.Error(), true
	}
	return "", false
}

// entry decodes secret name's text as PBX id's entry, or says why it is
// skipped: a secret set up wrong is that PBX's problem, not the read's.
func entry(id, name, text string) (Entry, *Skipped) {
	e, err := decodeEntry(id, []byte(text))
	if err != nil {
		return Entry{}, &Skipped{Name: name, Reason: err.Error()}
	}
	return e, nil
}

func ptr[T any](v T) *T { return &v }
