package handler

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// Copier copies one recording.
type Copier interface {
	Copy(ctx context.Context, ref recording.Ref) (recording.Result, error)
}

var _ Copier = (*recording.Copier)(nil)

// Handler handles invocations. It implements lambda.Handler, so that it
// sees the raw payload and can name what is wrong with it.
type Handler struct {
	copier Copier
	log    *slog.Logger
}

// New returns a Handler that copies with copier and logs to log.
func New(copier Copier, log *slog.Logger) *Handler {
	return &Handler{copier: copier, log: log}
}

// Invoke handles one invocation: a direct {"id": N} or {"file": "NAME"}.
// The response is the copy's recording.Result as JSON.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ref, err := trigger.DecodeDirect(payload)
	if err != nil {
		h.log.ErrorContext(ctx, "invalid event", "error", err.Error())
		return nil, err
	}
	res, err := h.copy(ctx, ref)
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

// copy copies one recording and logs the outcome in one line.
func (h *Handler) copy(ctx context.Context, ref recording.Ref) (recording.Result, error) {
	res, err := h.copier.Copy(ctx, ref)
	attrs := []any{
		slog.Int64("id", ref.ID),
		slog.String("file", res.File),
		slog.String("key", res.Key),
		slog.Int64("bytes", res.Bytes),
		slog.Int64("durationMs", res.Duration.Milliseconds()),
	}
	if err != nil {
		h.log.ErrorContext(ctx, "recording not copied", append(attrs, slog.String("error", err.Error()))...)
		return res, err
	}
	h.log.InfoContext(ctx, "recording copied", append(attrs, slog.Bool("alreadyStored", res.AlreadyStored))...)
	return res, nil
}
