package api

import (
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/store"
)

// cardJSON is the API view of a card with its application and resident.
// Dates are YYYY-MM-DD; absent values are null.
type cardJSON struct {
	ID                int64    `json:"id"`
	ApplicationID     string   `json:"application_id"`
	NoticeNumber      *string  `json:"notice_number"`
	ResidentNumber    *string  `json:"resident_number"`
	Name              string   `json:"name"`
	NameKana          string   `json:"name_kana"`
	BirthDate         string   `json:"birth_date"`
	Sex               string   `json:"sex"`
	PostalCode        string   `json:"postal_code"`
	Address           string   `json:"address"`
	HasGaiji          bool     `json:"has_gaiji"`
	Method            string   `json:"method"`
	MethodLabel       string   `json:"method_label"`
	FastTrack         bool     `json:"fast_track"`
	IssueDate         *string  `json:"issue_date"`
	ExpiryDate        *string  `json:"expiry_date"`
	Certificate       *bool    `json:"certificate"`
	DeliveryDate      *string  `json:"delivery_date"`
	Box               string   `json:"box"`
	StorageLocation   string   `json:"storage_location"`
	Status            string   `json:"status"`
	StatusLabel       string   `json:"status_label"`
	HeldFrom          *string  `json:"held_from"`
	CancelReason      *string  `json:"cancel_reason"`
	CancelReasonLabel *string  `json:"cancel_reason_label"`
	Flags             []string `json:"flags"`
	Remarks           string   `json:"remarks"`
	Version           int      `json:"version"`
	CreatedAt         string   `json:"created_at"`
	UpdatedAt         string   `json:"updated_at"`
	RawRow            []byte   `json:"raw_row,omitempty"` // the imported row (base64), on the card page only

	// FlagDetails are what staff must notice, with labels (ledger.FlagsFor).
	FlagDetails []ledger.Flag `json:"flag_details"`
}

func (h *CardHandlers) cardJSON(c store.CardRecord) cardJSON {
	out := cardJSON{ID: c.ID, ApplicationID: c.Application.ApplicationID, NoticeNumber: optional(c.NoticeNumber),
		ResidentNumber: optional(c.Resident.ResidentNumber), Name: c.Resident.Name, NameKana: c.Resident.NameKana,
		BirthDate: c.Resident.BirthDate, Sex: c.Resident.Sex, PostalCode: c.Resident.PostalCode,
		Address: c.Resident.Address, HasGaiji: c.Resident.HasGaiji, Method: string(c.Application.Method),
		MethodLabel: c.Application.Method.Label(), FastTrack: c.Application.FastTrack,
		IssueDate: optional(c.IssueDate), ExpiryDate: optional(c.ExpiryDate), Certificate: c.Certificate,
		DeliveryDate: optional(c.DeliveryDate), Box: c.Box, StorageLocation: c.StorageLocation,
		Status: string(c.Status), StatusLabel: c.Status.Label(), HeldFrom: optional(string(c.HeldFrom)),
		Flags: c.Flags, Remarks: c.Resident.Remarks, Version: c.Version,
		CreatedAt: h.stamp(c.CreatedAt), UpdatedAt: h.stamp(c.UpdatedAt)}
	if c.CancelReason != "" {
		out.CancelReason, out.CancelReasonLabel = optional(string(c.CancelReason)), optional(c.CancelReason.Label())
	}
	return out
}

// cardEventJSON is one entry of a card's history.
type cardEventJSON struct {
	ID         int64   `json:"id"`
	At         string  `json:"at"`
	Actor      string  `json:"actor"`
	Kind       string  `json:"kind"`
	FromStatus *string `json:"from_status"`
	FromLabel  *string `json:"from_label"`
	ToStatus   *string `json:"to_status"`
	ToLabel    *string `json:"to_label"`
	Field      string  `json:"field,omitempty"`
	OldValue   string  `json:"old_value,omitempty"`
	NewValue   string  `json:"new_value,omitempty"`
	Reason     string  `json:"reason,omitempty"`
}

func (h *CardHandlers) eventJSON(e store.CardEvent) cardEventJSON {
	out := cardEventJSON{ID: e.ID, At: h.stamp(e.At), Actor: e.Actor, Kind: e.Kind,
		Field: e.Field, OldValue: e.OldValue, NewValue: e.NewValue, Reason: e.Reason}
	if e.FromStatus != "" {
		out.FromStatus, out.FromLabel = optional(string(e.FromStatus)), optional(e.FromStatus.Label())
	}
	if e.ToStatus != "" {
		out.ToStatus, out.ToLabel = optional(string(e.ToStatus)), optional(e.ToStatus.Label())
	}
	return out
}

// statusJSON names a status a card may move to, for buttons.
type statusJSON struct {
	Status card.Status `json:"status"`
	Label  string      `json:"label"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
