// crdcheck checks CRDs and custom objects with the Kubernetes API server's own code
// (k8s.io/apiextensions-apiserver, the version the local cluster runs), without a cluster: the
// CRD's validation (structural schema, CEL rules compiled and their estimated cost), then per
// object what a create would do: pruning of unknown fields, the OpenAPI schema, the CEL rules.
//
// Input on stdin: {"crds": [CRD...], "objects": [{"name", "crd", "obj"}...]}.
// Output on stdout: {"crds": {name: [error...]}, "objects": [{"name", "errors": [...]}]}.
package main

import (
	"context"
	stdjson "encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/json"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

type input struct {
	CRDs    []stdjson.RawMessage `json:"crds"`
	Objects []struct {
		Name string                 `json:"name"`
		CRD  string                 `json:"crd"`
		Obj  map[string]interface{} `json:"obj"`
	} `json:"objects"`
}

type objectResult struct {
	Name   string   `json:"name"`
	Errors []string `json:"errors"`
}

type checker struct {
	structural *structuralschema.Structural
	schema     apiservervalidation.SchemaValidator
	rules      *cel.Validator
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var in input
	// apimachinery's json keeps whole numbers as int64, as the API server decodes them.
	if err := json.Unmarshal(data, &in); err != nil {
		fail(err)
	}
	ctx := context.Background()
	crdErrors := map[string][]string{}
	checkers := map[string]checker{}
	for _, raw := range in.CRDs {
		var v1 apiextensionsv1.CustomResourceDefinition
		if err := json.Unmarshal(raw, &v1); err != nil {
			fail(err)
		}
		apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(&v1)
		var crd apiextensions.CustomResourceDefinition
		if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&v1, &crd, nil); err != nil {
			fail(err)
		}
		errs := []string{}
		for _, e := range validation.ValidateCustomResourceDefinition(ctx, &crd) {
			errs = append(errs, e.Error())
		}
		crdErrors[crd.Name] = errs
		// One version: the conversion moves its schema to the top-level validation.
		s := crd.Spec.Validation.OpenAPIV3Schema
		structural, err := structuralschema.NewStructural(s)
		if err != nil {
			fail(err)
		}
		schema, _, err := apiservervalidation.NewSchemaValidator(s)
		if err != nil {
			fail(err)
		}
		checkers[crd.Name] = checker{structural, schema, cel.NewValidator(structural, true, celconfig.PerCallLimit)}
	}
	results := []objectResult{}
	for _, o := range in.Objects {
		c, ok := checkers[o.CRD]
		if !ok {
			fail(fmt.Errorf("%s: no CRD %s", o.Name, o.CRD))
		}
		errs := []string{}
		unknown := pruning.PruneWithOptions(o.Obj, c.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
		for _, u := range unknown {
			errs = append(errs, fmt.Sprintf("%s: unknown field", u))
		}
		for _, e := range apiservervalidation.ValidateCustomResource(nil, o.Obj, c.schema) {
			errs = append(errs, e.Error())
		}
		celErrs, _ := c.rules.Validate(ctx, nil, c.structural, o.Obj, nil, celconfig.RuntimeCELCostBudget)
		for _, e := range celErrs {
			errs = append(errs, e.Error())
		}
		results = append(results, objectResult{o.Name, errs})
	}
	out, err := json.Marshal(map[string]interface{}{"crds": crdErrors, "objects": results})
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}
