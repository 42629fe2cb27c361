// Validate many (shapes, data) pairs with Apache Jena SHACL in one JVM.
//
//   java -cp JENA_JARS tests/crosscheck/JenaBatch.java < jobs.tsv
//
// Each input line is SHAPES<TAB>DATA<TAB>OUT. The sh:ValidationReport is written to OUT as Turtle,
// and one line per job goes to stdout: "ok<TAB>DATA<TAB>conforms" or "error<TAB>DATA<TAB>message".
// (Jena's own `shacl validate` command takes one data file per JVM start, about 1.5 s each, and
// exits 0 even when the data does not conform: apache/jena#1790.) Used by tests/test_crosscheck.py.
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.apache.jena.graph.Graph;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.sparql.graph.GraphFactory;

public class JenaBatch {
    public static void main(String[] args) throws Exception {
        Map<String, Shapes> shapesByFile = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            String[] job = line.split("\t");
            try {
                Shapes shapes = shapesByFile.get(job[0]);
                if (shapes == null) {
                    shapes = Shapes.parse(RDFDataMgr.loadGraph(job[0]));
                    shapesByFile.put(job[0], shapes);
                }
                // A dataset file (TriG, N-Quads) is validated as the union of all its graphs.
                Graph data = GraphFactory.createDefaultGraph();
                RDFDataMgr.loadDatasetGraph(job[1]).find().forEachRemaining(q -> data.add(q.asTriple()));
                ValidationReport report = ShaclValidator.get().validate(shapes, data);
                try (OutputStream out = new FileOutputStream(job[2])) {
                    RDFDataMgr.write(out, report.getModel(), Lang.TURTLE);
                }
                System.out.println("ok\t" + job[1] + "\t" + report.conforms());
            } catch (Exception e) {
                System.out.println("error\t" + job[1] + "\t" + String.valueOf(e).replace('\n', ' '));
            }
            System.out.flush();
        }
    }
}
