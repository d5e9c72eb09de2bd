"""A pure-Python `kustomize build` whose every value remembers the file and line that set it.

`nodes` holds the located tree (a value, where it was written, where its key
was); `load` reads kustomizations and resource files through the scan's reader,
refusing paths outside the repository, cycles and runaway depth; `strategic`
and `json6902` apply patches; `transforms` the built-in transformers (images,
replicas, names, namespace, labels, annotations); `generators` the ConfigMap
and Secret generators with kustomize's name hash; `build` puts them together in
kustomize's order; `plan` tells, before a scan, which files are overlays,
bases, resources and patches, so bases are judged through their overlays.
"""
