package recording

import (
	"errors"
	"testing"
)

// TestKeyForPBX: {pbx} is the PBX's id; Key is the PBX "default"'s key; a
// template knows whether it has {pbx}; an id that is not one is refused.
func TestKeyForPBX(t *testing.T) {
	const file = "20220412173331-1649756009.12-2002-2005-Internal.wav"
	keys, err := ParseKeyTemplate("recordings/{pbx}/{yyyy}/{mm}/{file}")
	if err != nil {
		t.Fatalf("ParseKeyTemplate with {pbx}: %v", err)
	}
	if !keys.UsesPBX() {
		t.Error("UsesPBX = false for a template with {pbx}")
	}
	if got, err := keys.KeyFor("hq-1", file, 0); err != nil || got != "recordings/hq-1/2022/04/"+file {
		t.Errorf("KeyFor(hq-1) = %q, %v", got, err)
	}
	if got, err := keys.Key(file, 0); err != nil || got != "recordings/default/2022/04/"+file {
		t.Errorf("Key = %q, %v, want the default PBX's key", got, err)
	}
	var inv *InvalidInputError
	if _, err := keys.KeyFor("../x", file, 0); !errors.As(err, &inv) {
		t.Errorf("KeyFor(../x) = %v, want an InvalidInputError", err)
	}
	if (KeyTemplate{}).UsesPBX() {
		t.Error("the default template has no {pbx}")
	}
}

// TestMetadataForPBX: the PBX's id is in the metadata, except "default"'s,
// whose objects keep a single-PBX stack's metadata.
func TestMetadataForPBX(t *testing.T) {
	if got := MetadataFor("hq", 1, "a.wav", nil)[MetaPBX]; got != "hq" {
		t.Errorf("pbx metadata of hq = %q", got)
	}
	if _, ok := MetadataFor(DefaultPBX, 1, "a.wav", nil)[MetaPBX]; ok {
		t.Error("pbx metadata set for the default PBX")
	}
}
