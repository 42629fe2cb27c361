"""SPARQL queries: reading a query before it runs (``inspect``), what a query job is (``jobs``),
the child process that runs jobs and can be stopped (``runner``), running a job on a store
(``execute``), the result writers (``results``), and queries in this process for the CLI (``local``)."""
