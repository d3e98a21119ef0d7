package mongodb

import (
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"
)

// Unreachable reports whether err says the database could not be reached,
// rather than that it refused or could not do what was asked: no server
// answered within the server-selection timeout, a connection broke or was
// refused mid-operation, or the client was closed (the process is
// stopping). Such a failure is the database's, not the request's, and
// passes when the database is back, so callers are told to try again
// (problem.Classify) instead of shown an error of ours.
//
// It recognises the driver's own error types and labels wherever they are
// in the chain, so every store method, whether it wraps its errors with
// translate or returns them as they came, is covered without each one
// translating them.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	var sel topology.ServerSelectionError
	return errors.As(err, &sel) ||
		mongo.IsNetworkError(err) ||
		errors.Is(err, mongo.ErrClientDisconnected)
}
