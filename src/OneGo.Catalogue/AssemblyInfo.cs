// OneGo.Catalogue: the 一件事 domain — matters, bundles, scenarios, guides, reductions, templates.
[assembly: System.CLSCompliant(false)]
