# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_drift_global_optspecs
    string join \n kubeconfig= context= all-contexts request-timeout= h/help V/version
end

function __fish_kubectl_drift_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_drift_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_drift_using_subcommand
    set -l cmd (__fish_kubectl_drift_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "check" -d 'Compare the live state with Git and show the drift'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "fix" -d 'Show the drift resource by resource and offer to put the Git state back'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "accept" -d 'Record the current drift of named resources as intentional, with a reason'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "adopt" -d 'Write the live values of drifted resources into the Git manifests they came from'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "watch" -d 'Check every interval and serve Prometheus metrics, /healthz and the latest report'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "rbac" -d 'List who, besides the allowed subjects, can change the selected resources'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "compare" -d 'Compare the same live objects in two clusters, or in two namespaces of one'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "history" -d 'List past runs saved with `check --report-dir`, and when each resource\'s drift began and ended'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "version" -d 'Print the plugin\'s version, and each selected cluster\'s version when a context is given'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish or powershell)'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "__complete" -d 'Completion candidates in kubectl\'s plugin protocol (used by kubectl_complete-drift)'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "__man" -d 'Print the man page (roff)'
complete -c kubectl-drift -n "__fish_kubectl_drift_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l repo -d 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l config -d 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l ref -d 'Commit, branch or tag to read the manifests from' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l path -d 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -s f -l filename -d 'Read manifests from plain files or folders instead of Git; repeatable' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l helm-release -d 'Release name a Helm chart in Git is rendered as (default: the chart\'s name)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l helm-values -d 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l helm-set -d 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l helm-binary -d 'The helm binary that renders charts (default: `helm` on PATH)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l from-release -d 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l trust-release -d 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -s n -l namespace -d 'Namespace for manifests that name none, and the only namespace checked' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -s l -l selector -d 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l color -d 'When to color the output' -r -f -a "auto\t'Color on a terminal, unless NO_COLOR is set'
always\t''
never\t''"
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l width -d 'Output width in columns, 40 to 1000 (default: the terminal\'s width, else 120)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l field-manager -d 'Field manager for the server-side dry runs and fixes; use your pipeline\'s to see what it would change (default: the target\'s, else kubectl-drift)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l concurrency -d 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -s o -l output -d 'Output format (default: side-by-side)' -r -f -a "side-by-side\t'Git on the left, live on the right, only the changed parts'
unified\t'A unified diff, like kubectl diff'
json\t'One JSON document with every resource and a summary per context'
summary\t'One line per resource'
junit\t'JUnit XML: a test case per resource, drift as failures with the diff, for CI'
html\t'One self-contained HTML page: summary, charts, side-by-side diffs, filters'"
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l report-dir -d 'Also save this run\'s JSON report in DIR, under a new timestamped name' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l fail-on -d 'Exit 1 only for drift at or above SEVERITY; lower drift is shown and exits 0 (default: any drift exits 1). A field no rule rates is medium; a missing object is high, an extra one medium (critical for a NetworkPolicy or webhook gone, a binding or webhook added)' -r -f -a "info\t''
low\t''
medium\t''
high\t''
critical\t''"
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l notify -d 'Send an alert on drift: slack=WEBHOOK_URL, webhook=URL (JSON) or email=ADDRESS; repeatable' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l notify-every -d 'Alert again about unchanged drift once this long has passed (e.g. 6h, 1d)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l state -d 'File that remembers the last alert per channel, so that the same drift is sent once; or configmap/[NAMESPACE/]NAME to keep it in a ConfigMap of the first checked cluster' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l smtp-server -d 'SMTP server for email alerts (password from $KUBECTL_DRIFT_SMTP_PASSWORD)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l smtp-username -d 'SMTP user name' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l smtp-from -d 'The From address of email alerts' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l offline -d 'Use the cached clone of a URL repository as it is, without fetching'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l allow-remote-bases -d 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l all-releases -d 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -s A -l all-namespaces -d 'Check every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l strict -d 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l show-secrets -d 'Print Secret values instead of hiding them'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l notify-on-resolve -d 'Send one message when drift that was alerted on is gone'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l smtp-starttls -d 'Upgrade the SMTP connection with STARTTLS (the default port becomes 587)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand check" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l repo -d 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l config -d 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l ref -d 'Commit, branch or tag to read the manifests from' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l path -d 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -s f -l filename -d 'Read manifests from plain files or folders instead of Git; repeatable' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l helm-release -d 'Release name a Helm chart in Git is rendered as (default: the chart\'s name)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l helm-values -d 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l helm-set -d 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l helm-binary -d 'The helm binary that renders charts (default: `helm` on PATH)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l from-release -d 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l trust-release -d 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -s n -l namespace -d 'Namespace for manifests that name none, and the only namespace checked' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -s l -l selector -d 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l color -d 'When to color the output' -r -f -a "auto\t'Color on a terminal, unless NO_COLOR is set'
always\t''
never\t''"
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l width -d 'Output width in columns, 40 to 1000 (default: the terminal\'s width, else 120)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l field-manager -d 'Field manager for the server-side dry runs and fixes; use your pipeline\'s to see what it would change (default: the target\'s, else kubectl-drift)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l concurrency -d 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l audit-log -d 'File that every write is recorded in, one JSON line each (default: $XDG_STATE_HOME/kubectl-drift/audit.log)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l save-plan -d 'With --dry-run: save what would be written as a plan (JSON) for `fix --plan`' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l plan -d 'Execute a plan saved with --save-plan, exactly: an entry whose object changed since is not written and is listed (exit 2). Asks once, unless --yes' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l offline -d 'Use the cached clone of a URL repository as it is, without fetching'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l allow-remote-bases -d 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l all-releases -d 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -s A -l all-namespaces -d 'Check every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l strict -d 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l show-secrets -d 'Print Secret values instead of hiding them'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -s y -l yes -d 'Apply the Git state of every drifted resource without asking (unattended remediation)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l dry-run -d 'Show what would be written, and write nothing'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l prune -d 'Also delete Extra objects: live, tracked by a target, with no manifest in Git'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand fix" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l repo -d 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l config -d 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l ref -d 'Commit, branch or tag to read the manifests from' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l path -d 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -s f -l filename -d 'Read manifests from plain files or folders instead of Git; repeatable' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l helm-release -d 'Release name a Helm chart in Git is rendered as (default: the chart\'s name)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l helm-values -d 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l helm-set -d 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l helm-binary -d 'The helm binary that renders charts (default: `helm` on PATH)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l from-release -d 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l trust-release -d 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -s n -l namespace -d 'Namespace for manifests that name none, and the only namespace checked' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -s l -l selector -d 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l color -d 'When to color the output' -r -f -a "auto\t'Color on a terminal, unless NO_COLOR is set'
always\t''
never\t''"
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l width -d 'Output width in columns, 40 to 1000 (default: the terminal\'s width, else 120)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l field-manager -d 'Field manager for the server-side dry runs and fixes; use your pipeline\'s to see what it would change (default: the target\'s, else kubectl-drift)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l concurrency -d 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l reason -d 'Why the drift is intentional (required)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l until -d 'The last day the drift stays accepted (YYYY-MM-DD)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l offline -d 'Use the cached clone of a URL repository as it is, without fetching'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l allow-remote-bases -d 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l all-releases -d 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -s A -l all-namespaces -d 'Check every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l strict -d 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l show-secrets -d 'Print Secret values instead of hiding them'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand accept" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l repo -d 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l config -d 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l ref -d 'Commit, branch or tag to read the manifests from' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l path -d 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -s f -l filename -d 'Read manifests from plain files or folders instead of Git; repeatable' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l helm-release -d 'Release name a Helm chart in Git is rendered as (default: the chart\'s name)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l helm-values -d 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l helm-set -d 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l helm-binary -d 'The helm binary that renders charts (default: `helm` on PATH)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l from-release -d 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l trust-release -d 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -s n -l namespace -d 'Namespace for manifests that name none, and the only namespace checked' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -s l -l selector -d 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l color -d 'When to color the output' -r -f -a "auto\t'Color on a terminal, unless NO_COLOR is set'
always\t''
never\t''"
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l width -d 'Output width in columns, 40 to 1000 (default: the terminal\'s width, else 120)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l field-manager -d 'Field manager for the server-side dry runs and fixes; use your pipeline\'s to see what it would change (default: the target\'s, else kubectl-drift)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l concurrency -d 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l offline -d 'Use the cached clone of a URL repository as it is, without fetching'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l allow-remote-bases -d 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l all-releases -d 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -s A -l all-namespaces -d 'Check every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l strict -d 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l show-secrets -d 'Print Secret values instead of hiding them'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l dry-run -d 'Print the change as a patch and write nothing'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l commit -d 'Commit the change on the current branch, with each field, its old and new value and who changed it live in the message; nothing is pushed'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l into-overlay -d 'For a kustomize overlay: write the live values as a patch in the overlay, not into the file that sets them'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand adopt" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l repo -d 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l config -d 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l ref -d 'Commit, branch or tag to read the manifests from' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l path -d 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -s f -l filename -d 'Read manifests from plain files or folders instead of Git; repeatable' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l helm-release -d 'Release name a Helm chart in Git is rendered as (default: the chart\'s name)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l helm-values -d 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l helm-set -d 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l helm-binary -d 'The helm binary that renders charts (default: `helm` on PATH)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l from-release -d 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l trust-release -d 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -s n -l namespace -d 'Namespace for manifests that name none, and the only namespace checked' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -s l -l selector -d 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l color -d 'When to color the output' -r -f -a "auto\t'Color on a terminal, unless NO_COLOR is set'
always\t''
never\t''"
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l width -d 'Output width in columns, 40 to 1000 (default: the terminal\'s width, else 120)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l field-manager -d 'Field manager for the server-side dry runs and fixes; use your pipeline\'s to see what it would change (default: the target\'s, else kubectl-drift)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l concurrency -d 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l interval -d 'Time between the starts of two rounds (e.g. 30s, 5m, 1h)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l listen -d 'Address to serve /metrics, /healthz and /report on' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l metrics-file -d 'Also write the metrics to FILE after each round, in the textfile-collector format' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l leader-election-lease -d 'The Lease\'s name for --leader-elect' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l notify -d 'Send an alert on drift: slack=WEBHOOK_URL, webhook=URL (JSON) or email=ADDRESS; repeatable' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l notify-every -d 'Alert again about unchanged drift once this long has passed (e.g. 6h, 1d)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l state -d 'File that remembers the last alert per channel, so that the same drift is sent once; or configmap/[NAMESPACE/]NAME to keep it in a ConfigMap of the first checked cluster' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l smtp-server -d 'SMTP server for email alerts (password from $KUBECTL_DRIFT_SMTP_PASSWORD)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l smtp-username -d 'SMTP user name' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l smtp-from -d 'The From address of email alerts' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l offline -d 'Use the cached clone of a URL repository as it is, without fetching'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l allow-remote-bases -d 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l all-releases -d 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -s A -l all-namespaces -d 'Check every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l strict -d 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l show-secrets -d 'Print Secret values instead of hiding them'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l serve-report -d 'Also serve the latest JSON report on /report. It holds live values (ConfigMaps, env) and has no authentication: only for a listen address that only trusted clients reach'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l once -d 'Run one round and exit with check\'s exit code (serves nothing)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l per-resource-metrics -d 'Export one drift-age series per drifted resource (more series)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l leader-elect -d 'Run rounds only while holding a coordination.k8s.io Lease in the first context\'s namespace, so that replicas never check or alert twice; a standby serves /metrics with kubectl_drift_leader 0'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l notify-on-resolve -d 'Send one message when drift that was alerted on is gone'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l smtp-starttls -d 'Upgrade the SMTP connection with STARTTLS (the default port becomes 587)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand watch" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l repo -d 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l config -d 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l ref -d 'Commit, branch or tag to read the manifests from' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l path -d 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -s f -l filename -d 'Read manifests from plain files or folders instead of Git; repeatable' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l helm-release -d 'Release name a Helm chart in Git is rendered as (default: the chart\'s name)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l helm-values -d 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l helm-set -d 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l helm-binary -d 'The helm binary that renders charts (default: `helm` on PATH)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l from-release -d 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l trust-release -d 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -s n -l namespace -d 'Namespace for manifests that name none, and the only namespace checked' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -s l -l selector -d 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l color -d 'When to color the output' -r -f -a "auto\t'Color on a terminal, unless NO_COLOR is set'
always\t''
never\t''"
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l width -d 'Output width in columns, 40 to 1000 (default: the terminal\'s width, else 120)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l field-manager -d 'Field manager for the server-side dry runs and fixes; use your pipeline\'s to see what it would change (default: the target\'s, else kubectl-drift)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l concurrency -d 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l allow -d 'A subject allowed to change the resources (the pipeline\'s service account, say); repeatable: user:NAME, group:NAME, serviceaccount:NAMESPACE:NAME' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -s o -l output -d 'Output format' -r -f -a "text\t'One block per subject, then who could have made the drift\'s hand-made changes'
json\t'One JSON document'"
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l offline -d 'Use the cached clone of a URL repository as it is, without fetching'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l allow-remote-bases -d 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l all-releases -d 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -s A -l all-namespaces -d 'Check every namespace'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l strict -d 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l show-secrets -d 'Print Secret values instead of hiding them'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l no-default-allow -d 'Do not also allow the cluster\'s own: group system:masters, the control plane\'s users and kube-system\'s service accounts'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand rbac" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -s n -l namespace -d 'Namespace on both sides (default: each context\'s namespace)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l namespace-a -d 'Namespace of side A (the first --context), instead of -n' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l namespace-b -d 'Namespace of side B (the second --context, or the only one), instead of -n' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -s l -l selector -d 'Label selector, e.g. app=web,tier!=cache' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -s o -l output -d 'Output format (default: side-by-side, side A on the left)' -r -f -a "side-by-side\t'Side A on the left, side B on the right, only the changed parts'
unified\t'A unified diff from side A to side B'
json\t'One JSON document with every object compared'
summary\t'One line per object'"
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l path -d 'Compare only the objects Git declares under this folder or file; repeatable. A field the two contexts\' targets set differently in Git is a declared difference' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l repo -d 'Git repository holding the manifests and the config: a local path or a URL (default: the repository around the current folder)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l ref -d 'Commit, branch or tag to read the manifests from' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l config -d 'Config file with targets and ignore rules (default: .kubectl-drift.yaml at the repository root, when there is one)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l helm-binary -d 'The helm binary that renders charts under --path (default: `helm` on PATH); each target\'s `helm:` block says how' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l color -d 'When to color the output' -r -f -a "auto\t'Color on a terminal, unless NO_COLOR is set'
always\t''
never\t''"
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l width -d 'Output width in columns, 40 to 1000 (default: the terminal\'s width, else 120)' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -s A -l all-namespaces -d 'Compare every namespace, pairing objects by namespace and name'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l offline -d 'Use the cached clone of a URL repository as it is, without fetching'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l allow-remote-bases -d 'Let kustomizations and Helm charts fetch from the network (default: refused)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand compare" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand history" -l report-dir -d 'The folder `check --report-dir` writes its reports to' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand history" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand history" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand history" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand history" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand history" -s h -l help -d 'Print help'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand history" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand version" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand version" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand version" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand version" -s h -l help -d 'Print help'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand version" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand completion" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand completion" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand completion" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand completion" -s h -l help -d 'Print help'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __complete" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __complete" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __complete" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __complete" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __complete" -s h -l help -d 'Print help'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __complete" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __man" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)' -r -F
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __man" -l context -d 'Kubeconfig context to use; repeat to check several clusters' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __man" -l request-timeout -d 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit' -r
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __man" -l all-contexts -d 'Use every context in the kubeconfig'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __man" -s h -l help -d 'Print help'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand __man" -s V -l version -d 'Print version'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "check" -d 'Compare the live state with Git and show the drift'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "fix" -d 'Show the drift resource by resource and offer to put the Git state back'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "accept" -d 'Record the current drift of named resources as intentional, with a reason'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "adopt" -d 'Write the live values of drifted resources into the Git manifests they came from'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "watch" -d 'Check every interval and serve Prometheus metrics, /healthz and the latest report'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "rbac" -d 'List who, besides the allowed subjects, can change the selected resources'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "compare" -d 'Compare the same live objects in two clusters, or in two namespaces of one'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "history" -d 'List past runs saved with `check --report-dir`, and when each resource\'s drift began and ended'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "version" -d 'Print the plugin\'s version, and each selected cluster\'s version when a context is given'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish or powershell)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "__complete" -d 'Completion candidates in kubectl\'s plugin protocol (used by kubectl_complete-drift)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "__man" -d 'Print the man page (roff)'
complete -c kubectl-drift -n "__fish_kubectl_drift_using_subcommand help; and not __fish_seen_subcommand_from check fix accept adopt watch rbac compare history version completion __complete __man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
