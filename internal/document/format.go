package document

import (
	"bytes"
	"fmt"
	"net/http"
	"path"
	"strings"
)

// Format is a kind of file Kofu keeps: what office scanners produce.
type Format string

const (
	PDF  Format = "PDF"
	JPEG Format = "JPEG"
	PNG  Format = "PNG"
	TIFF Format = "TIFF"
)

// MediaType is the Content-Type to serve the format with.
func (f Format) MediaType() string {
	switch f {
	case PDF:
		return "application/pdf"
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	case TIFF:
		return "image/tiff"
	}
	return "application/octet-stream"
}

// Ext is the file name extension for downloads, with the dot.
func (f Format) Ext() string {
	switch f {
	case JPEG:
		return ".jpg"
	case TIFF:
		return ".tif"
	}
	return "." + strings.ToLower(string(f))
}

// sniffLen is how much of a file's start Sniff looks at.
const sniffLen = 512

// Sniff names the format from a file's first bytes (the magic numbers);
// ok is false for anything else.
func Sniff(head []byte) (f Format, ok bool) {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return PDF, true
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, true
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return TIFF, true
	}
	return "", false
}

// refuse explains why a file that is none of the formats is refused,
// naming what it seems to be and, when its name claims one of the
// accepted formats, that the name is not what counts.
func refuse(head []byte, name string) error {
	what := describe(head)
	claimed := formatOfName(name)
	msg := fmt.Sprintf("このファイルは%sです。", what)
	if claimed != "" {
		msg = fmt.Sprintf("このファイルは名前が %s ですが、中身は %s ではなく%sです。", path.Base(name), claimed, what)
	}
	return unsupported(msg + "取り込めるのは PDF、JPEG、PNG、TIFF の画像・文書だけです。スキャナーで PDF か TIFF に保存してください。")
}

func formatOfName(name string) Format {
	switch strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/"))) {
	case ".pdf":
		return PDF
	case ".jpg", ".jpeg", ".jpe":
		return JPEG
	case ".png":
		return PNG
	case ".tif", ".tiff":
		return TIFF
	}
	return ""
}

// describe names a refused file's content in Japanese for the message.
func describe(head []byte) string {
	text := strings.ToLower(string(bytes.TrimLeft(head, "\xef\xbb\xbf \t\r\n")))
	switch {
	case len(head) == 0:
		return "空のファイル"
	case strings.Contains(text, "<svg"):
		return " SVG 画像（中にスクリプトを含められる形式）"
	case strings.HasPrefix(text, "<!doctype html"), strings.Contains(text, "<html"), strings.Contains(text, "<script"):
		return " HTML ファイル"
	case bytes.HasPrefix(head, []byte("II+\x00")), bytes.HasPrefix(head, []byte("MM\x00+")):
		return " BigTIFF（対応していない TIFF の形式）"
	}
	switch ct := http.DetectContentType(head); {
	case ct == "image/gif":
		return " GIF 画像"
	case ct == "image/bmp":
		return " BMP 画像"
	case ct == "image/webp":
		return " WebP 画像"
	case ct == "application/zip":
		return " ZIP 形式のファイル（Word・Excel の文書を含む）"
	case strings.HasPrefix(ct, "text/xml"):
		return " XML ファイル"
	case strings.HasPrefix(ct, "text/"):
		return "テキストファイル"
	}
	return "対応していない形式のファイル"
}
