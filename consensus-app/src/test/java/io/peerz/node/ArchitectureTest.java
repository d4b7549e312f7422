package io.peerz.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of the node's code, checked on the compiled classes of every module the node
 * is built from (ledger, state machine, genesis, consensus-app): packages without cycles, consensus
 * below RPC and the node's wiring, the genesis document below consensus, and no static mutable
 * state (a cache or a pool has one owner who hands it on).
 */
class ArchitectureTest {

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    // The other modules' classes come as directories in the reactor and as jars otherwise.
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.peerz");
  }

  /** Generated code (protobuf, Micronaut's bean definitions) is not ours to shape. */
  private static final DescribedPredicate<JavaClass> OURS =
      new DescribedPredicate<>("written by hand") {
        @Override
        public boolean test(JavaClass c) {
          return !c.getPackageName().contains(".proto")
              && !c.getSimpleName().startsWith("$")
              && !c.getName().contains("$Definition")
              && !c.getName().contains("$Introspection")
              && !c.getName().contains("$Intercepted");
        }
      };

  @Test
  void noPackageImportsOneThatImportsItBack() {
    slices()
        .matching("io.peerz.(**)")
        .should()
        .beFreeOfCycles()
        .as("no package cycles")
        .check(main);
  }

  @Test
  void consensusNeverImportsRpcOrTheNodeThatWiresIt() {
    noClasses()
        .that()
        .resideInAPackage("io.peerz.consensus..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.peerz.rpc..", "io.peerz.node..", "io.peerz.abci..")
        .check(main);
  }

  @Test
  void rpcKnowsTheNodeOnlyThroughItsBackendAndTheEventBus() {
    noClasses()
        .that()
        .resideInAPackage("io.peerz.rpc..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.peerz.node..", "io.peerz.p2p..", "io.peerz.abci..")
        .check(main);
  }

  @Test
  void theGenesisDocumentLivesBelowConsensus() {
    noClasses()
        .that()
        .resideInAPackage("io.peerz.genesis..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.peerz.consensus..",
            "io.peerz.rpc..",
            "io.peerz.p2p..",
            "io.peerz.abci..",
            "io.peerz.node..",
            "io.peerz.state..")
        .check(main);
  }

  @Test
  void storesGetTheirColumnsNotTheDatabase() {
    noClasses()
        .that()
        .haveSimpleNameStartingWith("Rocks")
        .or()
        .haveSimpleName("TxIndexer")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.peerz.ledger.LedgerDb")
        .check(main);
    noClasses()
        .that()
        .haveSimpleName("RocksStateStore")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.peerz.ledger.proto.BlockResults")
        .as("block results are written by the block store, not the state store")
        .check(main);
  }

  @Test
  void noStaticFieldChangesAfterItIsSet() {
    fields().that().areStatic().and().areDeclaredInClassesThat(OURS).should().beFinal().check(main);
  }

  @Test
  void noCacheOrPoolIsHeldInAStaticField() {
    noFields()
        .that()
        .areStatic()
        .and()
        .areDeclaredInClassesThat(OURS)
        .should()
        .haveRawType(
            new DescribedPredicate<JavaClass>("a pool, a concurrent map or a counter") {
              @Override
              public boolean test(JavaClass t) {
                return t.isAssignableTo(ExecutorService.class)
                    || t.isAssignableTo(ForkJoinPool.class)
                    || t.isAssignableTo(ConcurrentMap.class)
                    || t.isAssignableTo(AtomicLong.class)
                    || t.isAssignableTo(AtomicInteger.class)
                    || t.isAssignableTo(java.util.LinkedHashMap.class)
                    || t.isAssignableTo(java.util.HashMap.class)
                    || t.getName().equals("io.peerz.ledger.DecodeCache")
                    || t.getName().equals("io.peerz.consensus.SignatureCache")
                    || t.getName().equals("io.peerz.ledger.TxSignatures");
              }
            })
        .check(main);
  }
}
