package document

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
)

// ScanOptions tune Scan. Zero values take the defaults.
type ScanOptions struct {
	Rules     Rules
	ThumbSide int // thumbnail size in pixels (240)
	Workers   int // pages read at once (GOMAXPROCS); each holds one decoded page
	// Skip, when set, names pages (from 1) not to read: those of a stack
	// filed before its splitting was interrupted.
	Skip func(page int) bool
}

// PageScan is one page of a scanned stack, ready to file.
type PageScan struct {
	Page   int    // from 1
	Codes  []Code // every code read, Kofu's or not
	Refs   []Ref  // the references among them
	Thumb  []byte // JPEG thumbnail
	File   []byte // the page as a file of its own (see File.Split)
	Format Format // the format of File
	Err    error  // the page could not be read: it goes to review (see Unreadable)
}

// Scan reads every page of a stack: decodes it, reads its codes, makes its
// thumbnail and splits it out, then calls fn with the pages in order.
// Pages are read by Workers goroutines; memory holds at most Workers
// pages, decoded or waiting for fn. A page that cannot be read is passed
// to fn with Err set; an error from fn or ctx stops the scan. Pages
// opt.Skip names are neither read nor passed to fn.
func Scan(ctx context.Context, f *File, opt ScanOptions, fn func(PageScan) error) error {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if opt.ThumbSide <= 0 {
		opt.ThumbSide = 240
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var todo []int // page indexes, from 0
	for i := range f.Pages() {
		if opt.Skip == nil || !opt.Skip(i+1) {
			todo = append(todo, i)
		}
	}
	results := make([]chan PageScan, len(todo))
	for i := range results {
		results[i] = make(chan PageScan, 1)
	}
	slots := make(chan struct{}, workers)
	go func() {
		for i, page := range todo {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() { results[i] <- f.scanPage(page, opt) }()
		}
	}()
	for i := range todo {
		var p PageScan
		select {
		case p = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-slots
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func (f *File) scanPage(i int, opt ScanOptions) (p PageScan) {
	p.Page = i + 1
	defer func() {
		// A decoder's panic on a hostile page must not take the server down:
		// the page goes to review like any unreadable one.
		if r := recover(); r != nil {
			p = PageScan{Page: i + 1, Err: corrupt(f.Format, fmt.Errorf("page %d: %v", i+1, r))}
		}
	}()
	img, err := f.Page(i)
	if err != nil {
		p.Err = err
		return p
	}
	p.Codes = ReadCodes(img)
	p.Refs = opt.Rules.Refs(p.Codes)
	var thumb, file bytes.Buffer
	if err := Thumbnail(&thumb, img, f.Rotation(i), opt.ThumbSide); err != nil {
		p.Err = err
		return p
	}
	if p.Format, err = f.Split(i, img, &file); err != nil {
		p.Err = err
		return p
	}
	p.Thumb, p.File = thumb.Bytes(), file.Bytes()
	return p
}
