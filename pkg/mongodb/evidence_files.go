package mongodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/training"
)

// PutEvidenceFile stores a certificate file for the domain service.
func (s *Store) PutEvidenceFile(ctx context.Context, u training.Upload) (string, error) {
	return s.PutEvidence(ctx, evidence.File{Data: u.Data, SHA256: u.SHA256, ContentType: u.ContentType, Size: int64(len(u.Data))}, u.Filename)
}

// EvidenceFile reads a certificate file back; training.ErrNotFound if absent.
func (s *Store) EvidenceFile(ctx context.Context, fileID string) (training.Upload, error) {
	data, contentType, filename, err := s.Evidence(ctx, fileID)
	if err != nil {
		return training.Upload{}, err
	}
	sum := sha256.Sum256(data)
	return training.Upload{Data: data, SHA256: hex.EncodeToString(sum[:]), ContentType: contentType, Filename: filename}, nil
}
