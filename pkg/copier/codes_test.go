package copier

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// errorTablePath is the documented error-code table ClassOf must follow.
const errorTablePath = "../../docs/yeastar-errors.md"

// classNames are the class names the documented table uses.
var classNames = map[string]Class{
	"permanent":         ClassPermanent,
	"transient":         ClassTransient,
	"token-refresh":     ClassTokenRefresh,
	"not-yet-available": ClassNotYetAvailable,
	"busy":              ClassBusy,
}

// docRow is one row of the documented table.
type docRow struct {
	code   int
	errmsg string
	class  Class
}

// readErrorTable parses the rows of the table whose first cell is an errcode.
func readErrorTable(t *testing.T) []docRow {
	t.Helper()
	f, err := os.Open(errorTablePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []docRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(strings.Trim(sc.Text(), "| "), "|")
		if len(cells) != 5 {
			continue
		}
		code, err := strconv.Atoi(strings.TrimSpace(cells[0]))
		if err != nil {
			continue // the header and the classes table
		}
		class, ok := classNames[strings.TrimSpace(cells[3])]
		if !ok {
			t.Fatalf("errcode %d: unknown class %q", code, cells[3])
		}
		rows = append(rows, docRow{code: code, errmsg: strings.TrimSpace(cells[1]), class: class})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestEveryDocumentedCodeIsClassified: ClassOf gives every errcode of
// Yeastar's table the class the documentation gives it, on the copy's
// endpoints and the reconciler's search alike; the simulator answers each
// with the documented errmsg.
func TestEveryDocumentedCodeIsClassified(t *testing.T) {
	rows := readErrorTable(t)
	var documented []int
	for _, row := range rows {
		documented = append(documented, row.code)
		for _, op := range []string{"recording/download", "download", "recording/search"} {
			t.Run(fmt.Sprintf("%d %s", row.code, op), func(t *testing.T) {
				err := fmt.Errorf("get download link: %w", &yeastar.APIError{Op: op, Code: row.code, Message: row.errmsg})
				if got := ClassOf(err); got != row.class {
					t.Errorf("ClassOf(%v) = %v, want %v", err, got, row.class)
				}
				if got, listed := CodeClass(row.code); got != row.class || !listed {
					t.Errorf("CodeClass(%d) = %v, %v; want %v, listed", row.code, got, listed, row.class)
				}
				if got := IsPermanent(err); got != (row.class == ClassPermanent) {
					t.Errorf("IsPermanent(%v) = %v", err, got)
				}
			})
		}
		if got := yeastartest.ErrMsg(row.code); got != row.errmsg {
			t.Errorf("the simulator answers %d with %q, the table says %q", row.code, got, row.errmsg)
		}
	}
	if sim := yeastartest.ErrCodes(); !slices.Equal(documented, sim) {
		t.Errorf("documented errcodes %v, the simulator's %v", documented, sim)
	}
	if len(documented) != len(codeClasses) {
		t.Errorf("%d codes documented, %d classified", len(documented), len(codeClasses))
	}
}

func TestSpecialCodes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{"-1 on get_token is bad credentials", &yeastar.APIError{Op: "get_token", Code: yeastar.CodeFailure}, ClassPermanent},
		{"an unlisted errcode is transient", &yeastar.APIError{Op: "recording/download", Code: 99999}, ClassTransient},
		{"10001 is firmware without the endpoint", &yeastar.APIError{Op: "recording/search", Code: yeastar.CodeInterfaceNotExisted}, ClassPermanent},
		{"10003 is firmware without the API version", &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeAPIVersionUnsupported}, ClassPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassOf(tt.err); got != tt.want {
				t.Errorf("ClassOf(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	for _, code := range []int{yeastar.CodeInterfaceNotExisted, yeastar.CodeAPIVersionUnsupported} {
		msg := (&yeastar.APIError{Op: "recording/search", Code: code, Message: "X"}).Error()
		if !strings.Contains(msg, "firmware") || !strings.Contains(msg, "recording/search") {
			t.Errorf("errcode %d reads %q: it does not name the firmware requirement", code, msg)
		}
	}
}
