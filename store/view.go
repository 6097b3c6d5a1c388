package store

import (
	"context"
	"database/sql"
	"fmt"
)

// View runs fn in a read-only transaction on the read pool: one consistent
// snapshot of the database (WAL), without taking the write lock, so long
// reads such as exports and recaps never hold up the bot. Write methods
// called on this Tx fail.
func (db *DB) View(ctx context.Context, fn func(*Tx) error) error {
	sqlTx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer sqlTx.Rollback()
	return fn(&Tx{tx: sqlTx, ctx: ctx})
}
