package booking

import (
	"fmt"
	"reflect"
	"testing"
)

// fill sets every field reachable from v to a non-zero value: two
// elements in each slice and map, so that a field added later is covered
// without touching this test.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("v%d", *n))
	case reflect.Int:
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n)
			fill(e, n)
			v.SetMapIndex(k, e)
		}
	default:
		panic("fill: add " + v.Kind().String())
	}
}

// shared reports a slice or map that a and b hold in common.
func shared(a, b reflect.Value, path string) []string {
	var out []string
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			out = append(out, shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)...)
		}
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
		for i := range a.Len() {
			out = append(out, shared(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
		for _, k := range a.MapKeys() {
			out = append(out, shared(a.MapIndex(k), b.MapIndex(k), fmt.Sprintf("%s[%v]", path, k))...)
		}
	}
	return out
}

// A clone equals the original and shares none of its slices or maps, so a
// caller changing its copy never changes the settings another request got.
func TestCloneIsDeep(t *testing.T) {
	var st Settings
	n := 0
	fill(reflect.ValueOf(&st).Elem(), &n)
	c := st.Clone()
	if !reflect.DeepEqual(st, c) {
		t.Fatalf("clone differs:\n%+v\n%+v", st, c)
	}
	if s := shared(reflect.ValueOf(st), reflect.ValueOf(c), "Settings"); len(s) > 0 {
		t.Errorf("the clone shares %v", s)
	}
	c.Places[0].Hours["x"] = []string{"changed"}
	c.Services[0].Places[0] = "changed"
	if _, ok := st.Places[0].Hours["x"]; ok || st.Services[0].Places[0] == "changed" {
		t.Error("changing the clone changed the original")
	}
}

// Nil lists stay nil, as a document without them decodes.
func TestCloneKeepsNil(t *testing.T) {
	st := Settings{Places: []Place{{ID: "main"}}}
	c := st.Clone()
	if c.Places[0].Hours != nil || c.Places[0].OpenDates != nil || c.Places[0].ChannelCapacity != nil || c.Services != nil {
		t.Errorf("nil became empty: %+v", c)
	}
}
