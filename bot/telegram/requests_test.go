package telegram_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"klabot/bot/message"
	"klabot/bot/telegram/fakeapi"
)

// request is one Bot API call as the fake server recorded it: the method,
// every form field, and the bytes of an uploaded file.
type request struct {
	method string
	params map[string]string
	upload string
}

// Each kind of outbound message becomes exactly these Bot API requests,
// so a change in keyboards, captions or splitting shows here first.
func TestOutboundRequests(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "rekap.xlsx")
	if err := os.WriteFile(doc, []byte("isi rekap"), 0o600); err != nil {
		t.Fatal(err)
	}
	first := strings.TrimSpace(strings.Repeat("Satu dua tiga. ", 200))
	second := strings.TrimSpace(strings.Repeat("Empat lima. ", 150))
	for _, tc := range []struct {
		name  string
		prior *message.Outbound // sent first, its requests not compared
		msg   message.Outbound
		want  []request
	}{
		{"text", nil, message.Outbound{Text: "Halo"}, []request{
			{method: "sendMessage", params: map[string]string{"chat_id": "42", "text": "Halo", "entities": "null"}},
		}},
		{"options as inline keys, one a row", nil, message.Outbound{Text: "Pilih", Buttons: []message.Button{
			{Label: "Lapor", Data: "lapor|3"}, {Label: "Status", Data: "/status LPR-1"}}}, []request{
			{method: "sendMessage", params: map[string]string{"chat_id": "42", "text": "Pilih", "entities": "null",
				"reply_markup": `{"inline_keyboard":[[{"text":"Lapor","callback_data":"lapor|3"}],[{"text":"Status","callback_data":"/status LPR-1"}]]}`}},
		}},
		{"photo with caption, by file id", nil, message.Outbound{Text: "Foto bukti", Attachment: &message.Attachment{Kind: "photo", Ref: "AgACAgIAAx"}}, []request{
			{method: "sendPhoto", params: map[string]string{"chat_id": "42", "photo": "AgACAgIAAx", "caption": "Foto bukti",
				"caption_entities": "null"}},
		}},
		{"document uploaded with caption", nil, message.Outbound{Text: "Rekap KLA", Attachment: &message.Attachment{Kind: "document", Path: doc, Name: "rekap.xlsx"}}, []request{
			{method: "sendDocument", params: map[string]string{"chat_id": "42", "caption": "Rekap KLA"}, upload: "isi rekap"},
		}},
		{"edit with keys", &message.Outbound{Text: "Terkirim 1 dari 4"}, message.Outbound{Text: "Terkirim 3 dari 4", Edit: "1", Buttons: []message.Button{{Label: "Jeda", Data: "/siaran jeda 1"}}}, []request{
			{method: "editMessageText", params: map[string]string{"chat_id": "42", "message_id": "1", "text": "Terkirim 3 dari 4",
				"entities": "null", "reply_markup": `{"inline_keyboard":[[{"text":"Jeda","callback_data":"/siaran jeda 1"}]]}`}},
		}},
		{"contact request", nil, message.Outbound{Text: "Nomor HP Anda?", AskContact: "Kirim nomor saya"}, []request{
			{method: "sendMessage", params: map[string]string{"chat_id": "42", "text": "Nomor HP Anda?", "entities": "null",
				"reply_markup": `{"keyboard":[[{"text":"Kirim nomor saya","request_contact":true}]],"resize_keyboard":true,"one_time_keyboard":true}`}},
		}},
		{"long text in parts, keys on the last", nil, message.Outbound{Text: first + "\n\n" + second, Buttons: []message.Button{{Label: "Menu", Data: "menu|1"}}}, []request{
			{method: "sendMessage", params: map[string]string{"chat_id": "42", "text": first, "entities": "null"}},
			{method: "sendMessage", params: map[string]string{"chat_id": "42", "text": second, "entities": "null",
				"reply_markup": `{"inline_keyboard":[[{"text":"Menu","callback_data":"menu|1"}]]}`}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeapi.New(token)
			defer srv.Close()
			tg := connect(t, srv)
			defer tg.Close()
			skip := 0
			if tc.prior != nil {
				if err := tg.Send(context.Background(), "42", *tc.prior); err != nil {
					t.Fatal(err)
				}
				skip = len(srv.Sent())
			}
			if err := tg.Send(context.Background(), "42", tc.msg); err != nil {
				t.Fatal(err)
			}
			var got []request
			for _, s := range srv.Sent()[skip:] {
				r := request{method: s.Method, params: map[string]string{}}
				for k := range s.Params {
					r.params[k] = s.Params.Get(k)
				}
				if s.Uploaded {
					data, _ := srv.File(s.FileID)
					r.upload = string(data)
				}
				got = append(got, r)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("requests:\n%+v\nwant:\n%+v", got, tc.want)
			}
		})
	}
}
