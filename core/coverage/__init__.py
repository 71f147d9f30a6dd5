"""Medicare coverage from the CMS Medicare Coverage Database article export: which diagnoses support
a procedure, per billing and coding article and Medicare contractor."""
